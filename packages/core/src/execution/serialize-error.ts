import { CairnError, isCairnError } from '../errors.js';
import type { SerializedError } from './events.js';

// Causes can be cyclic or deep; four levels is plenty to explain a failure.
const MAX_CAUSE_DEPTH = 4;

function plain(err: unknown, depth: number): SerializedError {
  if (err instanceof Error) {
    const out: SerializedError = {
      name: err.name,
      message: err.message,
      stack: err.stack ?? `${err.name}: ${err.message}`,
    };
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string') out.code = code;
    if (err.cause !== undefined && depth < MAX_CAUSE_DEPTH) out.cause = plain(err.cause, depth + 1);
    return out;
  }
  return { name: 'Error', message: String(err), stack: '' };
}

/**
 * Turns an error into the JSON form events carry. A `CAIRN_STEP_FAILED` wrapper is unwrapped so
 * the event shows the user's own name, message and stack, tagged with the code.
 */
export function serializeError(err: unknown): SerializedError {
  if (isCairnError(err, 'CAIRN_STEP_FAILED') && err.cause !== undefined) {
    return { ...plain(err.cause, 0), code: 'CAIRN_STEP_FAILED' };
  }
  return plain(err, 0);
}

/**
 * Wraps an exception thrown by user code as CAIRN_STEP_FAILED, keeping the user's message in ours
 * and the user's error (and stack) as `cause`. Cairn's own errors pass through unchanged.
 */
export function wrapUserError(
  err: unknown,
  what: string,
  details: Record<string, unknown>,
): CairnError {
  if (err instanceof CairnError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new CairnError('CAIRN_STEP_FAILED', `${what} failed: ${message}`, details, {
    cause: err,
  });
}
