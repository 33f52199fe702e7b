/**
 * @cairn/daemon: the long-running process that owns Cairn's state. This first slice is the
 * storage layer (event log, derived indexes, migrations).
 */

export * from './backfills/index.js';
export { type CliIo, main as runCli } from './cli/main.js';
export { createDaemon, type Daemon, type DaemonOptions } from './daemon.js';
export {
  isDefinitions,
  type LoadDefinitionsOptions,
  type LoadedDefinitions,
  loadDefinitions,
} from './definitions/load-definitions.js';
export {
  type ResolveDefinitionsPathOptions,
  resolveDefinitionsPath,
} from './definitions/resolve-definitions-path.js';
export { DaemonError, type DaemonErrorCode, isDaemonError } from './errors.js';
export type { AssetReport } from './runs/asset-operations.js';
export type { ConcurrencyLimits, TagLimit } from './runs/concurrency-limits.js';
export type { EventListener } from './runs/event-hub.js';
export { INTERRUPTED_MESSAGE } from './runs/recover-runs.js';
export type { ReexecuteOptions, StopOptions } from './runs/run-coordinator.js';
export type { RunRequest, SubmitResult } from './runs/run-request.js';
export * from './storage/index.js';
export {
  createWorkerPool,
  type ProcessWorkerPool,
  type WorkerPoolOptions,
} from './workers/create-worker-pool.js';
export type {
  RunExecutionHandle,
  RunExecutionRequest,
  RunOutcome,
  WorkerPool,
} from './workers/worker-pool-types.js';
