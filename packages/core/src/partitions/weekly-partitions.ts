import {
  type CadencePartitionsOptions,
  offsetOption,
  rejectOptions,
  toTimeWindowOptions,
} from './cadence-options.js';
import { TimeWindowPartitions } from './time-window-partitions.js';

/** Options of `weeklyPartitions`; `dayOffset` is the day of week (0 = Sunday). */
export type WeeklyPartitionsOptions = CadencePartitionsOptions;

/**
 * One partition per week starting on `dayOffset` (0 = Sunday, the default), keyed by the window's
 * start date `yyyy-MM-dd` (cron `M H * * D`), like Dagster's WeeklyPartitionsDefinition.
 *
 * @example
 * const weekly = weeklyPartitions({ start: '2024-01-01', dayOffset: 1 }); // weeks start Monday
 */
export function weeklyPartitions(options: WeeklyPartitionsOptions): TimeWindowPartitions {
  rejectOptions(options, [], 'weekly');
  const minute = offsetOption(options, 'minuteOffset', 0, 59, 0, 'weekly');
  const hour = offsetOption(options, 'hourOffset', 0, 23, 0, 'weekly');
  const day = offsetOption(options, 'dayOffset', 0, 6, 0, 'weekly');
  return new TimeWindowPartitions(
    toTimeWindowOptions(options, `${minute} ${hour} * * ${day}`, 'yyyy-MM-dd'),
  );
}
