import {
  type CadencePartitionsOptions,
  offsetOption,
  rejectOptions,
  toTimeWindowOptions,
} from './cadence-options.js';
import { TimeWindowPartitions } from './time-window-partitions.js';

/** Options of `dailyPartitions` (no day offset). */
export type DailyPartitionsOptions = Omit<CadencePartitionsOptions, 'dayOffset'>;

/**
 * One partition per local day, keyed `yyyy-MM-dd` (cron `M H * * *`), like Dagster's
 * DailyPartitionsDefinition. Windows are 23 or 25 hours long on DST days.
 *
 * @example
 * const daily = dailyPartitions({ start: '2024-01-01', timezone: 'America/New_York', hourOffset: 3 });
 */
export function dailyPartitions(options: DailyPartitionsOptions): TimeWindowPartitions {
  rejectOptions(options, ['dayOffset'], 'daily');
  const minute = offsetOption(options, 'minuteOffset', 0, 59, 0, 'daily');
  const hour = offsetOption(options, 'hourOffset', 0, 23, 0, 'daily');
  return new TimeWindowPartitions(
    toTimeWindowOptions(options, `${minute} ${hour} * * *`, 'yyyy-MM-dd'),
  );
}
