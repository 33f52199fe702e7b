import {
  type CadencePartitionsOptions,
  offsetOption,
  rejectOptions,
  toTimeWindowOptions,
} from './cadence-options.js';
import { TimeWindowPartitions } from './time-window-partitions.js';

/** Options of `monthlyPartitions`; `dayOffset` is the day of month (1-31, default 1). */
export type MonthlyPartitionsOptions = CadencePartitionsOptions;

/**
 * One partition per month starting on day `dayOffset` (default 1), keyed by the window's start date
 * `yyyy-MM-dd` (cron `M H D * *`), like Dagster's MonthlyPartitionsDefinition. Days 29-31 are
 * clamped to the month's last day, so there is exactly one window per month (Dagster differs).
 *
 * @example
 * const monthly = monthlyPartitions({ start: '2024-01-01' });
 */
export function monthlyPartitions(options: MonthlyPartitionsOptions): TimeWindowPartitions {
  rejectOptions(options, [], 'monthly');
  const minute = offsetOption(options, 'minuteOffset', 0, 59, 0, 'monthly');
  const hour = offsetOption(options, 'hourOffset', 0, 23, 0, 'monthly');
  const day = offsetOption(options, 'dayOffset', 1, 31, 1, 'monthly');
  return new TimeWindowPartitions(
    toTimeWindowOptions(options, `${minute} ${hour} ${day} * *`, 'yyyy-MM-dd'),
  );
}
