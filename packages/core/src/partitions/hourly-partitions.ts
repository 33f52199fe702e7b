import {
  type CadencePartitionsOptions,
  offsetOption,
  rejectOptions,
  toTimeWindowOptions,
} from './cadence-options.js';
import { TimeWindowPartitions } from './time-window-partitions.js';

/** Options of `hourlyPartitions` (no hour or day offset). */
export type HourlyPartitionsOptions = Omit<CadencePartitionsOptions, 'hourOffset' | 'dayOffset'>;

/**
 * One partition per hour, keyed `yyyy-MM-dd-HH:mm` (cron `M * * * *` with M = minuteOffset), like
 * Dagster's HourlyPartitionsDefinition. In a DST zone the repeated autumn hour gives two partitions;
 * the second one's key ends with its UTC offset (`2024-11-03-01:00-0500`).
 *
 * @example
 * const hourly = hourlyPartitions({ start: '2024-01-01-00:00', timezone: 'Europe/Berlin' });
 */
export function hourlyPartitions(options: HourlyPartitionsOptions): TimeWindowPartitions {
  rejectOptions(options, ['hourOffset', 'dayOffset'], 'hourly');
  const minute = offsetOption(options, 'minuteOffset', 0, 59, 0, 'hourly');
  return new TimeWindowPartitions(
    toTimeWindowOptions(options, `${minute} * * * *`, 'yyyy-MM-dd-HH:mm'),
  );
}
