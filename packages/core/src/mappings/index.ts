/** Partition mappings: which upstream partitions each downstream partition reads. */
export { allMapping } from './all-mapping.js';
export {
  type CustomMappingContext,
  type CustomMappingOptions,
  customMapping,
} from './custom-mapping.js';
export { identityMapping } from './identity-mapping.js';
export { type InferMappingEdge, inferMapping } from './infer-mapping.js';
export { lastMapping } from './last-mapping.js';
export { type DimensionMapping, type MultiMappingOptions, multiMapping } from './multi-mapping.js';
export {
  type MultiToSingleMappingOptions,
  multiToSingleMapping,
} from './multi-to-single-mapping.js';
export type {
  DownstreamKeysArgs,
  MappingCardinality,
  PartitionMapping,
  UpstreamKeysArgs,
} from './partition-mapping.js';
export { type StaticMappingOptions, staticMapping } from './static-mapping.js';
export { type TimeWindowMappingOptions, timeWindowMapping } from './time-window-mapping.js';
export { unpartitionedUpstreamMapping } from './unpartitioned-upstream-mapping.js';
