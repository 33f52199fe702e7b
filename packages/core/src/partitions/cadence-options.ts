import { CairnError } from '../errors.js';
import type { TimeWindowPartitionsOptions } from './time-window-partitions.js';

/**
 * Options shared by hourlyPartitions, dailyPartitions, weeklyPartitions and monthlyPartitions
 * (Dagster's Hourly/Daily/Weekly/MonthlyPartitionsDefinition).
 */
export interface CadencePartitionsOptions {
  /** First window: the first one starting at or after this (Date instant, or wall time string in `timezone`). */
  start: Date | string;
  /** Exclusive bound on the last window's end. Default: none. */
  end?: Date | string;
  /** IANA timezone. Default `UTC`. */
  timezone?: string;
  /** Luxon key format. Default `yyyy-MM-dd` (hourly: `yyyy-MM-dd-HH:mm`). */
  fmt?: string;
  /** Minute of the hour the windows start at (0-59). Default 0. */
  minuteOffset?: number;
  /** Hour of the day the windows start at (0-23; daily, weekly, monthly). Default 0. */
  hourOffset?: number;
  /** Weekly: day of week 0-6 (0 = Sunday, default). Monthly: day of month 1-31 (default 1). */
  dayOffset?: number;
  /** See `TimeWindowPartitionsOptions.endOffset`. Default 0. */
  endOffset?: number;
}

/** Validates one integer offset option and returns it (or its default). */
export function offsetOption(
  options: CadencePartitionsOptions,
  name: 'minuteOffset' | 'hourOffset' | 'dayOffset',
  min: number,
  max: number,
  fallback: number,
  cadence: string,
): number {
  const value = options[name];
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      `${cadence}Partitions ${name} must be an integer from ${min} to ${max}, got ${String(value)}.`,
      { [name]: value, min, max },
    );
  }
  return value;
}

/** Rejects offsets a cadence does not have (e.g. `dayOffset` on daily partitions). */
export function rejectOptions(
  options: CadencePartitionsOptions,
  names: readonly ('hourOffset' | 'dayOffset')[],
  cadence: string,
): void {
  if (typeof options !== 'object' || options === null) {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      `${cadence}Partitions needs an options object { start, ... }.`,
    );
  }
  for (const name of names) {
    if (options[name] !== undefined) {
      throw new CairnError(
        'CAIRN_INVALID_OPTIONS',
        `${cadence}Partitions has no ${name} (got ${String(options[name])}); use timeWindowPartitions with a cron for other cadences.`,
        { [name]: options[name] },
      );
    }
  }
}

/** The timeWindowPartitions options for a cadence cron. */
export function toTimeWindowOptions(
  options: CadencePartitionsOptions,
  cron: string,
  defaultFmt: string,
): TimeWindowPartitionsOptions {
  return {
    cron,
    start: options.start,
    ...(options.end !== undefined ? { end: options.end } : {}),
    timezone: options.timezone ?? 'UTC',
    fmt: options.fmt ?? defaultFmt,
    endOffset: options.endOffset ?? 0,
  };
}
