/**
 * Partitions definitions: time windows (any cron, plus hourly/daily/weekly/monthly), static lists,
 * dynamic (runtime-added) keys and multi-dimensional products.
 */

export type { CadencePartitionsOptions } from './cadence-options.js';
export { type DailyPartitionsOptions, dailyPartitions } from './daily-partitions.js';
export { type DynamicPartitionsDefinition, dynamicPartitions } from './dynamic-partitions.js';
export { type HourlyPartitionsOptions, hourlyPartitions } from './hourly-partitions.js';
export { type MonthlyPartitionsOptions, monthlyPartitions } from './monthly-partitions.js';
export { multiPartitions } from './multi-partitions.js';
export type {
  DynamicPartitionsReader,
  MultiPartitionsDefinition,
  PartitionsContext,
  PartitionsDefinition,
  PartitionsSnapshot,
  TimeWindow,
  TimeWindowPartitionsDefinition,
} from './partitions-definition.js';
export { isMultiPartitions, isTimeWindowPartitions } from './partitions-definition.js';
export { partitionsFromSnapshot } from './partitions-from-snapshot.js';
export { type StaticPartitionsDefinition, staticPartitions } from './static-partitions.js';
export {
  TimeWindowPartitions,
  type TimeWindowPartitionsOptions,
  timeWindowPartitions,
} from './time-window-partitions.js';
export { type WeeklyPartitionsOptions, weeklyPartitions } from './weekly-partitions.js';
