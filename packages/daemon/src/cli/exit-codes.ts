/** Exit codes of the `cairn` CLI. */
export const EXIT = Object.freeze({
  /** The command did what was asked (the run succeeded; the daemon stopped cleanly). */
  ok: 0,
  /** The run failed or was canceled, a check at or above the threshold failed, the daemon is unreachable, or something went wrong. */
  failed: 1,
  /** Bad usage: unknown option, missing --select, bad selection or partition, no definitions module. */
  usage: 2,
});

// Errors that mean "the command line asked for something impossible", not "the run failed".
const USAGE_CODES = new Set([
  'CAIRN_INVALID_OPTIONS',
  'CAIRN_SELECTION_SYNTAX',
  'CAIRN_UNKNOWN_ASSET',
  'CAIRN_UNKNOWN_PARTITION',
  'CAIRN_INVALID_PARTITION_RANGE',
  'CAIRN_PARTITION_REQUIRED',
  'CAIRN_DEFINITIONS_NOT_FOUND',
  'CAIRN_DEFINITIONS_EXPORT_MISSING',
]);

/**
 * The exit code for an error thrown by a command: 2 for usage errors (including API answers 400
 * invalid input and 404 unknown asset/run/backfill), else 1 (409 conflicts, no daemon...).
 */
export function exitCodeOf(err: unknown): number {
  const status = (err as { status?: unknown } | null)?.status;
  if (status === 400 || status === 404) return EXIT.usage;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && USAGE_CODES.has(code) ? EXIT.usage : EXIT.failed;
}
