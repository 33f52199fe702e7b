/** Declarative automation: conditions declared on assets and the pure tick evaluation over a state reader. */
export {
  type AutomationConditionDescription,
  type AutomationConditionType,
  and,
  type ConditionParams,
  composedLabel,
  isAutomationCondition,
  not,
  or,
  since,
} from './automation-condition.js';
export {
  type AssetAutomationMemory,
  type AutomationMemory,
  type ConditionNodeMemory,
  parseAutomationMemory,
  type SerializedSubset,
} from './automation-memory.js';
export type {
  AutomationStateReader,
  CheckResultRecord,
  PartitionUpdate,
} from './automation-state-reader.js';
export {
  AutomationCondition,
  allDepsBlockingChecksPassed,
  allDepsUpdatedSinceCron,
  anyDepsFailed,
  anyDepsInProgress,
  anyDepsMissing,
  anyDepsUpdated,
  type CronConditionOptions,
  codeVersionChanged,
  cronTickPassed,
  eager,
  failed,
  initialEvaluation,
  inLatestTimeWindow,
  inProgress,
  type Lookback,
  missing,
  newlyMissing,
  newlyRequested,
  newlyUpdated,
  onCron,
  onMissing,
  stale,
} from './conditions.js';
export {
  type AsyncAutomationResult,
  type AutomationResult,
  type AutomationRunRequest,
  type EvaluateAutomationAsyncOptions,
  type EvaluateAutomationOptions,
  evaluateAutomation,
  evaluateAutomationAsync,
} from './evaluate-automation.js';
export {
  type AssetAutomationEvaluation,
  type AutomationDecision,
  type ConditionEvaluationNode,
  decisionText,
} from './explain-decision.js';
export {
  type MemoryAutomationState,
  memoryAutomationState,
} from './memory-automation-state.js';
