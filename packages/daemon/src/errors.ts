import { CairnError } from '@cairn/core';

/**
 * Errors the daemon raises on purpose: core's `CairnError` with the daemon's own codes, so
 * `instanceof CairnError` catches both packages' errors.
 */

/** Stable error codes of the daemon; docs/daemon/storage.md lists what each means and how to fix it. */
export type DaemonErrorCode =
  | 'CAIRN_SCHEMA_TOO_NEW'
  | 'CAIRN_MIGRATION_FAILED'
  | 'CAIRN_STORAGE_OPEN_FAILED'
  | 'CAIRN_STORAGE_WRITE_FAILED'
  | 'CAIRN_STORAGE_CLOSED'
  | 'CAIRN_INVALID_EVENT'
  | 'CAIRN_INVALID_OPTIONS'
  | 'CAIRN_DEFINITIONS_NOT_FOUND'
  | 'CAIRN_DEFINITIONS_LOAD_FAILED'
  | 'CAIRN_DEFINITIONS_EXPORT_MISSING'
  | 'CAIRN_WORKER_EXITED'
  | 'CAIRN_WORKER_OUT_OF_MEMORY'
  | 'CAIRN_WORKER_PROTOCOL'
  | 'CAIRN_WORKER_POOL_CLOSED'
  | 'CAIRN_UNKNOWN_RUN'
  | 'CAIRN_RUN_NOT_FINISHED'
  | 'CAIRN_RUN_INTERRUPTED'
  | 'CAIRN_DAEMON_STOPPED'
  | 'CAIRN_INVALID_BACKFILL'
  | 'CAIRN_UNKNOWN_BACKFILL'
  | 'CAIRN_BACKFILL_EXISTS'
  | 'CAIRN_UNKNOWN_ASSET'
  | 'CAIRN_UNKNOWN_PARTITION'
  | 'CAIRN_UNKNOWN_SCHEDULE'
  | 'CAIRN_UNKNOWN_SENSOR'
  | 'CAIRN_DAEMON_UNREACHABLE'
  | 'CAIRN_PORT_IN_USE'
  | 'CAIRN_API_ERROR'
  | 'CAIRN_CHECKS_FAILED'
  | 'CAIRN_INVALID_REQUEST'
  | 'CAIRN_UNAUTHORIZED'
  | 'CAIRN_ROUTE_NOT_FOUND'
  | 'CAIRN_BODY_TOO_LARGE'
  | 'CAIRN_RUN_FINISHED'
  | 'CAIRN_NOT_AVAILABLE'
  | 'CAIRN_INTERNAL';

/** The error class the daemon throws on purpose: a CairnError with a daemon code. */
export class DaemonError extends CairnError<DaemonErrorCode> {}

/** True when `err` is a DaemonError, optionally with the given code. */
export function isDaemonError(err: unknown, code?: DaemonErrorCode): err is DaemonError {
  return err instanceof DaemonError && (code === undefined || err.code === code);
}
