import { CronExpressionParser } from 'cron-parser';
import { IANAZone } from 'luxon';
import type { FreshnessPolicy } from '../asset-types.js';
import { CairnError } from '../errors.js';

/** A validated freshness policy: a rolling lag limit, or a cron deadline with a grace period. */
export type CompiledFreshnessPolicy =
  | { kind: 'lag'; maxLagMinutes: number }
  | { kind: 'cron'; cron: string; timezone: string; maxLagMinutes: number };

const MINUTE_MS = 60_000;

/**
 * Validates a freshness policy once. `label` names its owner in messages, e.g.
 * `freshnessCheck "freshness" on "shop/orders"`. Throws CAIRN_INVALID_OPTIONS, CAIRN_INVALID_TIMEZONE
 * or CAIRN_INVALID_CRON naming the value.
 */
export function compileFreshnessPolicy(
  given: FreshnessPolicy,
  label: string,
  details: Record<string, unknown> = {},
): CompiledFreshnessPolicy {
  const lag = given.maxLagMinutes ?? 0;
  if (typeof lag !== 'number' || !Number.isFinite(lag) || lag < 0) {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      `${label} has maxLagMinutes ${String(lag)}; give a finite number of minutes >= 0.`,
      { ...details, maxLagMinutes: lag },
    );
  }
  if (!('cron' in given)) return { kind: 'lag', maxLagMinutes: lag };
  const timezone = given.timezone ?? 'UTC';
  if (!IANAZone.isValidZone(timezone)) {
    throw new CairnError(
      'CAIRN_INVALID_TIMEZONE',
      `${label} has timezone "${timezone}", which is not an IANA timezone; use one such as "UTC" or "Europe/Paris".`,
      { ...details, timezone },
    );
  }
  try {
    // prev() as well: an expression that parses but never fires (Feb 30) fails here, not per check.
    CronExpressionParser.parse(given.cron, { tz: timezone }).prev();
  } catch (err) {
    throw new CairnError(
      'CAIRN_INVALID_CRON',
      `${label} has cron "${given.cron}", which cannot be parsed (${(err as Error).message}); use five fields such as "0 9 * * *".`,
      { ...details, cron: given.cron },
      { cause: err },
    );
  }
  return { kind: 'cron', cron: given.cron, timezone, maxLagMinutes: lag };
}

/**
 * The cron tick whose deadline (tick + `maxLagMinutes`) passed most recently at `now`: the
 * materialization that counts must come at or after it.
 */
export function latestDueTick(
  policy: Extract<CompiledFreshnessPolicy, { kind: 'cron' }>,
  now: Date,
): Date {
  const graceMs = policy.maxLagMinutes * MINUTE_MS;
  // cron-parser's prev() is strict, and ticks fall on whole seconds, so start 1 ms later.
  return CronExpressionParser.parse(policy.cron, {
    currentDate: new Date(now.getTime() - graceMs + 1),
    tz: policy.timezone,
  })
    .prev()
    .toDate();
}

/** The first cron tick strictly after `instant`. */
export function nextTick(
  policy: Extract<CompiledFreshnessPolicy, { kind: 'cron' }>,
  instant: Date,
): Date {
  return CronExpressionParser.parse(policy.cron, { currentDate: instant, tz: policy.timezone })
    .next()
    .toDate();
}
