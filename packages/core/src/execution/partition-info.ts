import {
  isMultiPartitions,
  isTimeWindowPartitions,
  type PartitionsDefinition,
  type TimeWindow,
} from '../partitions/partitions-definition.js';

/** What a step's context says about its partition. */
export interface PartitionInfo {
  /** The time window of a time partition, or of a multi key's time dimension. */
  timeWindow: TimeWindow | undefined;
  /** The dimension keys of a multi-partition key. */
  dimensions: Readonly<Record<string, string>> | undefined;
}

const NONE: PartitionInfo = Object.freeze({ timeWindow: undefined, dimensions: undefined });

/** The time window and dimensions of `partitionKey` in `partitions` (all undefined when unpartitioned). */
export function partitionInfo(
  partitions: PartitionsDefinition | undefined,
  partitionKey: string | undefined,
): PartitionInfo {
  if (partitions === undefined || partitionKey === undefined) return NONE;
  if (isTimeWindowPartitions(partitions)) {
    return { timeWindow: partitions.timeWindow(partitionKey), dimensions: undefined };
  }
  if (isMultiPartitions(partitions)) {
    const dimensions = Object.freeze(partitions.split(partitionKey));
    let timeWindow: TimeWindow | undefined;
    for (const dim of partitions.dimensions) {
      const key = dimensions[dim.name];
      if (key !== undefined && isTimeWindowPartitions(dim.partitions)) {
        timeWindow = dim.partitions.timeWindow(key);
        break;
      }
    }
    return { timeWindow, dimensions };
  }
  return NONE;
}
