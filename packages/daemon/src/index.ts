/**
 * @cairn/daemon: the long-running process that owns Cairn's state. This first slice is the
 * storage layer (event log, derived indexes, migrations).
 */

export {
  ALERT_EVENT_TYPES,
  type AlertDelivery,
  type AlertDeliveryOptions,
  AlertDispatcher,
  type AlertEventType,
  type AlertTarget,
} from './alerts/alert-dispatcher.js';
export type { ApiApp } from './api/api-context.js';
export type { ApiDaemon } from './api/api-daemon.js';
export type { ApiErrorBody } from './api/api-error.js';
export {
  API_VERSION,
  type BuildAppOptions,
  buildApp,
  type ListenOptions,
  listen,
} from './api/build-app.js';
export type {
  AutomationOptions,
  AutomationTicker,
  AutomationTickResult,
  StoredAutomationEvaluation,
} from './automation/automation-ticker.js';
export type { AssetFreshness } from './automation/freshness-monitor.js';
export * from './backfills/index.js';
export * from './checks/index.js';
export { type CliIo, main as runCli } from './cli/main.js';
export { type ServeOptions, type Server, serve } from './cli/serve.js';
export type * from './client/api-types.js';
export {
  CairnApiError,
  CairnClient,
  type CairnClientOptions,
  createClient,
} from './client/cairn-client.js';
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
export type { ReexecuteOptions, StopOptions } from './runs/run-coordinator-options.js';
export type { RunRequest, SubmitResult } from './runs/run-request.js';
export type {
  InstigatorStatus,
  TickRecord,
  TickStatus,
} from './schedules/instigator-store.js';
export type { ScheduleRunner, ScheduleState } from './schedules/schedule-runner.js';
export type { SensorRunner, SensorState } from './schedules/sensor-runner.js';
export type {
  DaemonStaleStatus,
  PartitionStalenessRow,
  StalenessExplanationResult,
  StalenessService,
  StalenessSummary,
} from './staleness/staleness-service.js';
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
