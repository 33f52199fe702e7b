/** Versioning and staleness rules: data versions, the staleness reader contract, causes and explanations. */
export { defaultDataVersion, inputRef, parseInputRef } from './data-version.js';
export {
  explainPartition,
  explainStaleness,
  type StalenessExplanation,
  type StalenessStep,
  type VersionChangeReason,
} from './explain-staleness.js';
export { type MaterializationFacts, materializationInput } from './materialization-input.js';
export {
  type CodeStaleCause,
  type DataStaleCause,
  type DependenciesStaleCause,
  describePartition,
  type PartitionRef,
  type PartitionStaleness,
  type StaleCause,
  type StaleStatus,
  type UpstreamStaleCause,
} from './stale-cause.js';
export {
  assetStaleness,
  partitionStaleness,
  type StalenessEvaluator,
  type StalenessOptions,
  stalenessEvaluator,
} from './staleness.js';
export {
  type CurrentDataVersion,
  type MaterializationInput,
  type MemoryStalenessReader,
  memoryStalenessReader,
  type ObservationInput,
  type StalenessReader,
  type VersionedMaterialization,
} from './staleness-reader.js';
export { currentInputDataVersions, type UpstreamRead, upstreamReads } from './upstream-reads.js';
