import { CairnError } from '../errors.js';
import { cronTicks } from '../schedules/cron-ticks.js';
import {
  and,
  type AutomationCondition as Condition,
  condition,
  not,
  or,
  since,
} from './automation-condition.js';

/** A look-back duration; the parts add up. */
export interface Lookback {
  days?: number;
  hours?: number;
  minutes?: number;
}

/** Milliseconds of a look-back; throws CAIRN_INVALID_OPTIONS for negative or non-finite parts. */
export function lookbackMs(lookback: Lookback, where: string): number {
  let ms = 0;
  for (const [unit, size] of [
    ['days', 86_400_000],
    ['hours', 3_600_000],
    ['minutes', 60_000],
  ] as const) {
    const v = lookback?.[unit];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new CairnError(
        'CAIRN_INVALID_OPTIONS',
        `${where}: lookback ${unit} is ${String(v)}; give a finite number >= 0, e.g. { days: 7 }.`,
        { where, [unit]: v },
      );
    }
    ms += v * size;
  }
  return ms;
}

/** Options of `onCron` and the cron operands. */
export interface CronConditionOptions {
  /** IANA timezone the cron is read in. Default `UTC`. */
  timezone?: string;
}

function cronParams(cron: string, options: CronConditionOptions | undefined) {
  const ticks = cronTicks(cron, options?.timezone ?? 'UTC');
  return { cron: ticks.cron, timezone: ticks.timezone };
}

/**
 * True for partitions of a time-window asset whose window ends at most `lookback` before the end
 * of the latest window (default: the evaluation's `lookback` option, itself defaulting to the
 * latest window only). Always true for unpartitioned and non-time partitions.
 */
export function inLatestTimeWindow(lookback?: Lookback): Condition {
  const ms = lookback === undefined ? undefined : lookbackMs(lookback, 'inLatestTimeWindow()');
  return condition('inLatestTimeWindow', {
    lookbackMinutes: ms === undefined ? undefined : ms / 60_000,
  });
}

/** True for partitions that were never materialized (nor, for external assets, observed). */
export function missing(): Condition {
  return condition('missing');
}

/**
 * True on the tick where a partition first exists and is missing: a new time window, a new dynamic
 * key, or every missing partition on the first evaluation. Cheaper than `missing().newlyTrue()`
 * because it only looks at partitions added since the previous tick.
 */
export function newlyMissing(): Condition {
  return condition('newlyMissing');
}

/** True for materialized partitions that are STALE by the versioning rules (code, data, dependencies). */
export function stale(): Condition {
  return condition('stale');
}

/** True for partitions in a run that is queued or running. */
export function inProgress(): Condition {
  return condition('inProgress');
}

/** True for partitions whose latest run failed to materialize them (no materialization since). */
export function failed(): Condition {
  return condition('failed');
}

/** True for partitions materialized or observed since the previous tick. */
export function newlyUpdated(): Condition {
  return condition('newlyUpdated');
}

/** True for partitions requested by the previous tick. */
export function newlyRequested(): Condition {
  return condition('newlyRequested');
}

/** True on the first tick the condition is evaluated (no memory yet). */
export function initialEvaluation(): Condition {
  return condition('initialEvaluation');
}

/** True on the tick after the asset's code version changed (compared with the previous tick). */
export function codeVersionChanged(): Condition {
  return condition('codeVersionChanged');
}

/** True on ticks where at least one tick of `cron` passed since the previous evaluation. */
export function cronTickPassed(cron: string, options?: CronConditionOptions): Condition {
  return condition('cronTickPassed', cronParams(cron, options));
}

/**
 * True when a dependency partition this partition reads got a new data version since the previous
 * tick, or will be requested in the same run by this tick.
 */
export function anyDepsUpdated(): Condition {
  return condition('anyDepsUpdated');
}

/** True when a dependency partition this partition reads is missing and not requested by this tick. */
export function anyDepsMissing(): Condition {
  return condition('anyDepsMissing');
}

/** True when a dependency partition this partition reads is in progress (or requested by this tick in another run). */
export function anyDepsInProgress(): Condition {
  return condition('anyDepsInProgress');
}

/** True when a dependency partition this partition reads failed in its latest run. */
export function anyDepsFailed(): Condition {
  return condition('anyDepsFailed');
}

/** True when no blocking check on a dependency partition this partition reads failed (severity error). */
export function allDepsBlockingChecksPassed(): Condition {
  return condition('allDepsBlockingChecksPassed');
}

/** True when every dependency partition this partition reads was updated at or after the latest tick of `cron` (or will be requested in the same run). */
export function allDepsUpdatedSinceCron(cron: string, options?: CronConditionOptions): Condition {
  return condition('allDepsUpdatedSinceCron', cronParams(cron, options));
}

/** The presets' trees, built once: conditions are immutable, so assets share them. */
let eagerCondition: Condition | undefined;
let onMissingCondition: Condition | undefined;
const onCronConditions = new Map<string, Condition>();

/**
 * Materializes partitions in the latest time window (see the `lookback` option) when they are
 * newly missing, when a dependency was updated or when the code version changed, once no
 * dependency is missing, in progress or failed and no blocking check of a dependency failed.
 * Connected eager assets are requested together in one run.
 *
 * @example
 * asset({ key: 'shop/orders', deps: { raw }, automation: eager() }, ...)
 */
export function eager(): Condition {
  // Conditions are immutable: every asset declared with eager() shares one tree.
  eagerCondition ??= and(
    inLatestTimeWindow(),
    or(newlyMissing(), anyDepsUpdated(), codeVersionChanged()).sinceLastHandled(),
    not(anyDepsMissing()),
    not(anyDepsInProgress()),
    not(anyDepsFailed()),
    allDepsBlockingChecksPassed(),
    not(inProgress()),
  ).withLabel('eager');
  return eagerCondition;
}

/**
 * Materializes the latest time window once after each tick of `cron`, as soon as every dependency
 * was updated since that tick (a root asset runs at the tick).
 *
 * @example
 * asset({ key: 'shop/daily_report', deps: [orders], automation: onCron('0 9 * * *', { timezone: 'Europe/Paris' }) }, ...)
 */
export function onCron(cron: string, options?: CronConditionOptions): Condition {
  const { cron: c, timezone } = cronParams(cron, options);
  const id = `${c}\0${timezone}`;
  const shared = onCronConditions.get(id);
  if (shared !== undefined) return shared;
  const made = and(
    inLatestTimeWindow(),
    cronTickPassed(c, { timezone }).sinceLastHandled(),
    allDepsUpdatedSinceCron(c, { timezone }),
    allDepsBlockingChecksPassed(),
    not(inProgress()),
  ).withLabel(`onCron(${c}, ${timezone})`);
  // Shared like eager()'s, a few per cron and timezone.
  if (onCronConditions.size < 1000) onCronConditions.set(id, made);
  return made;
}

/** Materializes partitions of the latest time window that are newly missing, once their dependencies exist. */
export function onMissing(): Condition {
  onMissingCondition ??= and(
    inLatestTimeWindow(),
    newlyMissing().sinceLastHandled(),
    not(anyDepsMissing()),
    not(anyDepsInProgress()),
    not(inProgress()),
  ).withLabel('onMissing');
  return onMissingCondition;
}

/** The condition type. */
export type AutomationCondition = Condition;

/**
 * Every condition factory in one place, Dagster-style: `AutomationCondition.eager()`,
 * `AutomationCondition.missing().and(AutomationCondition.inLatestTimeWindow())`.
 */
export const AutomationCondition = Object.freeze({
  eager,
  onCron,
  onMissing,
  and,
  or,
  not,
  since,
  inLatestTimeWindow,
  missing,
  newlyMissing,
  stale,
  inProgress,
  failed,
  newlyUpdated,
  newlyRequested,
  initialEvaluation,
  codeVersionChanged,
  cronTickPassed,
  anyDepsUpdated,
  anyDepsMissing,
  anyDepsInProgress,
  anyDepsFailed,
  allDepsBlockingChecksPassed,
  allDepsUpdatedSinceCron,
});
