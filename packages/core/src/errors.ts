/**
 * Every error Cairn raises on purpose is a `CairnError` with a stable `code` and the facts
 * (`details`) that led to it. Codes are part of the public API: docs/errors.md lists each one.
 */

/** Stable error codes; see docs/errors.md for what each one means and how to fix it. */
export type CairnErrorCode =
  | 'CAIRN_INVALID_ASSET_KEY'
  | 'CAIRN_INVALID_OPTIONS'
  | 'CAIRN_DUPLICATE_KEY'
  | 'CAIRN_UNKNOWN_DEPENDENCY'
  | 'CAIRN_CYCLE'
  | 'CAIRN_INCOMPATIBLE_MAPPING'
  | 'CAIRN_MAPPING_FAILED'
  | 'CAIRN_AMBIGUOUS_INPUT'
  | 'CAIRN_UNKNOWN_CHECK_ASSET'
  | 'CAIRN_DUPLICATE_CHECK'
  | 'CAIRN_UNKNOWN_IO_MANAGER'
  | 'CAIRN_INVALID_CONFIG'
  | 'CAIRN_SELECTION_SYNTAX'
  | 'CAIRN_UNKNOWN_ASSET'
  | 'CAIRN_INVALID_PARTITIONS'
  | 'CAIRN_UNKNOWN_PARTITION'
  | 'CAIRN_INVALID_PARTITION_RANGE'
  | 'CAIRN_PARTITION_REQUIRED'
  | 'CAIRN_INVALID_CRON'
  | 'CAIRN_INVALID_TIMEZONE'
  | 'CAIRN_UNSAFE_PATH'
  | 'CAIRN_INPUT_NOT_FOUND'
  | 'CAIRN_STEP_TIMEOUT'
  | 'CAIRN_STEP_FAILED'
  | 'CAIRN_RESOURCE_SETUP_FAILED'
  | 'CAIRN_RUN_ABORTED'
  | 'CAIRN_INVALID_TARGET'
  | 'CAIRN_SENSOR_FAILED'
  | 'CAIRN_INVALID_SENSOR_RESULT';

/**
 * The one error class Cairn throws on purpose: a stable code, a message that says what to do, and
 * the facts. `C` lets other packages (the daemon) extend it with their own codes, so callers catch
 * every Cairn error with one `instanceof CairnError`.
 */
export class CairnError<C extends string = CairnErrorCode> extends Error {
  override readonly name = 'CairnError';
  readonly code: C;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: C,
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = Object.freeze({ ...details });
  }

  /** A plain JSON form, used by events, the API and the CLI. */
  toJSON(): { code: C; message: string; details: Record<string, unknown> } {
    return { code: this.code, message: this.message, details: { ...this.details } };
  }
}

/** True when `err` is a CairnError, optionally with the given code. */
export function isCairnError<C extends string = CairnErrorCode>(
  err: unknown,
  code?: C,
): err is CairnError<C> {
  return err instanceof CairnError && (code === undefined || err.code === code);
}
