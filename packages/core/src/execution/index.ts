export type { Clock } from './clock.js';
export { systemClock } from './clock.js';
export type {
  ExecuteOptions,
  ExecutionResult,
  StepFailure,
  StepStatus,
} from './engine.js';
export { executePlan } from './engine.js';
export type {
  CheckEvaluationEvent,
  LogEvent,
  MaterializationEvent,
  RunCounts,
  RunEvent,
  RunEventType,
  RunFinishedEvent,
  RunStartedEvent,
  SerializedError,
  StepFailedEvent,
  StepRetryEvent,
  StepSkippedEvent,
  StepStartedEvent,
} from './events.js';
export type { ManualClock } from './manual-clock.js';
export { manualClock } from './manual-clock.js';
export type {
  MaterializedValues,
  MaterializeOptions,
  MaterializeRunResult,
} from './materialize.js';
export { materialize } from './materialize.js';
export type { BuildPlanOptions, ExecutionPlan, PlanInput, PlanStep } from './plan.js';
export { buildPlan } from './plan.js';
export { retryDelay } from './retry-delay.js';
export { validateRunConfig } from './run-config.js';
export { RunHistory } from './run-history.js';
export { serializeError } from './serialize-error.js';
