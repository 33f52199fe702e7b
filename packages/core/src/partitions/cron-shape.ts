import { CronExpressionParser } from 'cron-parser';
import { CairnError } from '../errors.js';

/**
 * Parses a 5-field cron expression and recognises the cadences whose ticks can be computed with
 * arithmetic instead of iteration: every N minutes/hours, daily, weekly and monthly at a fixed
 * local time. Everything else is `other` and is iterated with cron-parser.
 */

/** The recognised shape of a cron expression. */
export type CronShape =
  /** Ticks every `stepMinutes` of local time at minutes-of-day congruent to `residueMinutes`. */
  | { kind: 'absolute'; stepMinutes: number; residueMinutes: number }
  /** One tick a day at `minuteOfDay` local time. */
  | { kind: 'daily'; minuteOfDay: number }
  /** One tick a week, on `dayOfWeek` (0 = Sunday) at `minuteOfDay`. */
  | { kind: 'weekly'; minuteOfDay: number; dayOfWeek: number }
  /** One tick a month on `dayOfMonth` (clamped to the month's last day) at `minuteOfDay`. */
  | { kind: 'monthly'; minuteOfDay: number; dayOfMonth: number }
  /** Anything else: iterated with cron-parser. */
  | { kind: 'other' };

/** A validated cron expression and what Cairn knows about it. */
export interface ParsedCron {
  /** The expression, trimmed with single spaces between fields. */
  cron: string;
  shape: CronShape;
  /**
   * True when the hour field matches every hour (Dagster's "repeats every hour"): such schedules
   * skip wall times that do not exist and fire twice in a repeated autumn hour; all others fire at
   * the end of a spring gap and only at the second occurrence of a repeated time.
   */
  repeatsEveryHour: boolean;
  /** True when the cron can tick more than once a day (decides the default key format). */
  subDaily: boolean;
}

const ALIASES = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@hourly']);

function invalidCron(cron: unknown, why: string): CairnError {
  return new CairnError(
    'CAIRN_INVALID_CRON',
    `Invalid cron expression ${JSON.stringify(cron)}: ${why}. Use 5 fields "minute hour day-of-month month day-of-week", e.g. "0 0 * * *" for daily at midnight.`,
    { cron, reason: why },
  );
}

function numbers(values: readonly (number | string)[]): number[] | undefined {
  return values.every((v) => typeof v === 'number') ? [...(values as number[])] : undefined;
}

/** The step when `values` (sorted) are `r, r+step, ...` covering the whole `period`, else undefined. */
function uniformStep(values: readonly number[], period: number): number | undefined {
  const step = period / values.length;
  if (!Number.isInteger(step)) return undefined;
  for (let i = 0; i < values.length; i++) {
    if (values[i] !== values[0]! + i * step) return undefined;
  }
  return step;
}

/** Validates and classifies `cron`; throws CAIRN_INVALID_CRON naming it when it is not valid. */
export function parseCron(cron: string): ParsedCron {
  if (typeof cron !== 'string' || cron.trim() === '') throw invalidCron(cron, 'it is empty');
  const normalized = cron.trim().split(/\s+/).join(' ');
  const fieldCount = normalized.split(' ').length;
  if (normalized.startsWith('@')) {
    if (!ALIASES.has(normalized.toLowerCase())) throw invalidCron(cron, 'unknown alias');
  } else if (fieldCount !== 5) {
    throw invalidCron(cron, `it has ${fieldCount} fields, not 5`);
  }
  let fields: ReturnType<typeof CronExpressionParser.parse>['fields'];
  try {
    const expr = CronExpressionParser.parse(normalized, {
      tz: 'UTC',
      currentDate: new Date(Date.UTC(2000, 0, 1)),
    });
    fields = expr.fields;
    // An expression that never fires (e.g. "0 0 31 4 *") has no windows at all.
    expr.next();
  } catch (err) {
    throw invalidCron(cron, err instanceof Error ? err.message : String(err));
  }
  const minutes = numbers(fields.minute.values);
  const hours = numbers(fields.hour.values);
  const doms = numbers(fields.dayOfMonth.values);
  const dows = numbers(fields.dayOfWeek.values);
  const months = numbers(fields.month.values);
  const repeatsEveryHour = hours?.length === 24;
  const subDaily = !(minutes?.length === 1 && hours?.length === 1);
  const result = (shape: CronShape): ParsedCron => ({
    cron: normalized,
    shape,
    repeatsEveryHour,
    subDaily,
  });
  if (!minutes || !hours || !doms || !dows || !months || normalized.includes('#')) {
    return result({ kind: 'other' });
  }
  const weekdays = [...new Set(dows.map((d) => d % 7))].sort((a, b) => a - b);
  const domAny = fields.dayOfMonth.isWildcard;
  const dowAny = fields.dayOfWeek.isWildcard || weekdays.length === 7;
  if (months.length !== 12) return result({ kind: 'other' });
  const singleTime = minutes.length === 1 && hours.length === 1;
  const minuteOfDay = hours[0]! * 60 + minutes[0]!;
  if (domAny && dowAny) {
    if (repeatsEveryHour) {
      const step = uniformStep(minutes, 60);
      return result(
        step === undefined
          ? { kind: 'other' }
          : { kind: 'absolute', stepMinutes: step, residueMinutes: minutes[0]! },
      );
    }
    if (singleTime) return result({ kind: 'daily', minuteOfDay });
    const hourStep = minutes.length === 1 ? uniformStep(hours, 24) : undefined;
    return result(
      hourStep === undefined
        ? { kind: 'other' }
        : { kind: 'absolute', stepMinutes: hourStep * 60, residueMinutes: minuteOfDay },
    );
  }
  if (singleTime && domAny && weekdays.length === 1 && fields.dayOfWeek.isWildcard === false) {
    return result({ kind: 'weekly', minuteOfDay, dayOfWeek: weekdays[0]! });
  }
  if (singleTime && dowAny && fields.dayOfWeek.isWildcard && doms.length === 1) {
    return result({ kind: 'monthly', minuteOfDay, dayOfMonth: doms[0]! });
  }
  return result({ kind: 'other' });
}
