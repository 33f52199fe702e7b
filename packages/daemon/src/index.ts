/**
 * @cairn/daemon: the long-running process that owns Cairn's state. This first slice is the
 * storage layer (event log, derived indexes, migrations).
 */
export { DaemonError, type DaemonErrorCode, isDaemonError } from './errors.js';
export * from './storage/index.js';
