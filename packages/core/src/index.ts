/**
 * @cairn/core: software-defined assets, the lineage graph, partitions and partition mappings,
 * asset checks, versioning and staleness rules, and the execution engine with `materialize()`.
 * Pure library: no storage, no HTTP.
 *
 * @example
 * import { asset, definitions, materialize } from '@cairn/core';
 * const a = asset({ key: 'a' }, () => 1);
 * const b = asset({ key: 'b', deps: { a } }, ({ a }) => a + 1);
 * const result = await materialize(definitions({ assets: [a, b] }));
 */
import './polyfills.js';

export { asset, assetsOf, isAssetDefinition } from './asset.js';
export { type AssetKeyInput, assetKey, assetKeySegments, isValidAssetKey } from './asset-key.js';
export {
  type AnyAssetDefinition,
  type AssetContext,
  type AssetDefinition,
  type AssetFn,
  type AssetOptions,
  type AssetSpecOptions,
  type AutomationConditionLike,
  type BackfillPolicy,
  type ComputeFn,
  type ConfigOf,
  type DepInput,
  type DepsInput,
  type FreshnessPolicy,
  type InputOf,
  type InputsOf,
  isMaterializeResult,
  type MappedDep,
  MaterializeResult,
  type MultiAssetOrigin,
  materializeResult,
  type OutputValue,
  type ResolvedDep,
  type RetryPolicy,
  type StepLogger,
  type ValueOf,
} from './asset-types.js';
// Automation: the presets at the top level; every operand and combinator lives on the
// `AutomationCondition` object (Dagster-style) so generic names such as `and` or `missing` do not
// crowd the package's namespace.
export {
  type AssetAutomationEvaluation,
  type AssetAutomationMemory,
  type AsyncAutomationResult,
  AutomationCondition,
  type AutomationConditionDescription,
  type AutomationDecision,
  type AutomationMemory,
  type AutomationResult,
  type AutomationRunRequest,
  type AutomationStateReader,
  type CheckResultRecord,
  type ConditionEvaluationNode,
  type CronConditionOptions,
  composedLabel,
  decisionText,
  type EvaluateAutomationAsyncOptions,
  type EvaluateAutomationOptions,
  eager,
  evaluateAutomation,
  evaluateAutomationAsync,
  isAutomationCondition,
  type Lookback,
  type MemoryAutomationState,
  memoryAutomationState,
  onCron,
  onMissing,
  type PartitionUpdate,
  parseAutomationMemory,
} from './automation/index.js';
export {
  type AnyAssetCheckDefinition,
  type AssetCheckDefinition,
  type AssetCheckOptions,
  assetCheck,
  type CheckContext,
  type CheckFn,
  type CheckResult,
  type CheckSeverity,
  type HistoryReader,
  type MaterializationRecord,
} from './checks/asset-check.js';
export * from './checks/freshness-check.js';
export * from './checks/metadata-bounds-check.js';
export { definitions } from './definitions.js';
export type { Definitions, DefinitionsInput, NamedDefinition } from './definitions-types.js';
export { CairnError, type CairnErrorCode, isCairnError } from './errors.js';
export * from './execution/index.js';
export { type ExternalAssetOptions, externalAsset } from './external-asset.js';
export * from './freshness/index.js';
export * from './graph/index.js';
export * from './io/index.js';
export * from './mappings/index.js';
export {
  type Metadata,
  type MetadataValue,
  md,
  ROW_COUNT,
  type TableMetadata,
} from './metadata.js';
export { type MultiAssetOptions, multiAsset } from './multi-asset.js';
export * from './partitions/index.js';
export {
  isResourceDefinition,
  type ResourceDefinition,
  type ResourceOptions,
  type ResourceSetupContext,
  type ResourceValues,
  resource,
  resourceValue,
} from './resource.js';
export * from './schedules/index.js';
export * from './selection/index.js';
export * from './versioning/index.js';
