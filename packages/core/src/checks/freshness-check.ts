import type { AnyAssetDefinition, FreshnessPolicy, ValueOf } from '../asset-types.js';
import { CairnError } from '../errors.js';
import {
  type CompiledFreshnessPolicy,
  compileFreshnessPolicy,
  latestDueTick,
} from '../freshness/freshness-policy.js';
import { type Metadata, md } from '../metadata.js';
import {
  type AssetCheckDefinition,
  assetCheck,
  type CheckContext,
  type CheckResult,
  type CheckSeverity,
} from './asset-check.js';

/** Options of `freshnessCheck()`: a rolling limit (`maxLagMinutes`) or a cron deadline (`cron`). */
export interface FreshnessCheckOptions<A extends AnyAssetDefinition | string> {
  /** The asset checked: its handle or its key. */
  asset: A;
  /**
   * Rolling form: the latest materialization may be at most this many minutes old. Cron form: the
   * grace period after each tick. Default: from the asset's `freshness` policy; 0 in the cron form.
   */
  maxLagMinutes?: number;
  /** Cron form: the asset must be materialized after each tick, by the tick plus `maxLagMinutes`. Default: none. */
  cron?: string;
  /** IANA timezone the cron is read in. Default `UTC`. */
  timezone?: string;
  /** Check name. Default `freshness`. */
  name?: string;
  /**
   * Default `warn` (a late asset is worth knowing about, rarely worth failing a run), or `error`
   * when `blocking` is true, since only failed checks of severity error block.
   */
  severity?: CheckSeverity;
  /** Default false. */
  blocking?: boolean;
  /** Default: a sentence generated from the policy. */
  description?: string;
}

type Policy = CompiledFreshnessPolicy;

const MINUTE_MS = 60_000;

/**
 * A check that passes when the checked partition was materialized recently enough. Rolling form:
 * the latest materialization is at most `maxLagMinutes` old at the check's `now`; for a time-window
 * partition lag counts from the end of its window when that is later (a partition computed before
 * its window closed lacks the data since). Cron form: the latest materialization came after the
 * latest cron tick whose deadline (tick + `maxLagMinutes`) has passed. Never materialized → failed.
 * Metadata: `lagMinutes`, `lastMaterializedAt`, `maxLagMinutes` (and the tick and deadline).
 *
 * @example
 * freshnessCheck({ asset: orders, maxLagMinutes: 60 });
 * freshnessCheck({ asset: orders, cron: '0 9 * * *', timezone: 'Europe/Paris', maxLagMinutes: 30 });
 */
export function freshnessCheck<A extends AnyAssetDefinition | string>(
  options: FreshnessCheckOptions<A>,
): AssetCheckDefinition<ValueOf<A>> {
  const name = options?.name ?? 'freshness';
  const policy = resolvePolicy(options, name);
  const text =
    policy.kind === 'lag'
      ? `Materialized within the last ${policy.maxLagMinutes} minutes.`
      : `Materialized after each "${policy.cron}" tick (${policy.timezone}) within ${policy.maxLagMinutes} minutes.`;
  return assetCheck(
    {
      asset: options.asset,
      name,
      severity: options.severity ?? (options.blocking === true ? 'error' : 'warn'),
      blocking: options.blocking ?? false,
      description: options.description ?? text,
    },
    (ctx) => (policy.kind === 'lag' ? judgeLag(ctx, policy) : judgeCron(ctx, policy)),
  );
}

function judgeLag(
  ctx: CheckContext<unknown, unknown>,
  policy: Extract<Policy, { kind: 'lag' }>,
): CheckResult {
  const latest = ctx.history.latestMaterialization(ctx.assetKey, ctx.partitionKey);
  const limit = policy.maxLagMinutes;
  if (latest === undefined) {
    return {
      passed: false,
      description: `${subject(ctx)} has never been materialized, so it cannot be within ${limit} minutes; materialize it.`,
      metadata: { maxLagMinutes: limit },
    };
  }
  const end = ctx.partitionTimeWindow?.end;
  const fromWindowEnd = end !== undefined && end.getTime() > latest.timestamp.getTime();
  const reference = fromWindowEnd ? end : latest.timestamp;
  const lagMs = Math.max(0, ctx.now.getTime() - reference.getTime());
  const lagMinutes = round(lagMs / MINUTE_MS);
  const metadata: Metadata = {
    lagMinutes,
    maxLagMinutes: limit,
    lastMaterializedAt: md.timestamp(latest.timestamp),
  };
  if (fromWindowEnd) metadata.windowEnd = md.timestamp(end);
  const since = fromWindowEnd
    ? `its window ended ${lagMinutes} minutes ago (${end.toISOString()}) and it was last materialized before that, at ${latest.timestamp.toISOString()}`
    : `it was last materialized ${lagMinutes} minutes ago (${latest.timestamp.toISOString()})`;
  const passed = lagMs <= limit * MINUTE_MS;
  return {
    passed,
    metadata,
    description: passed
      ? `${subject(ctx)} is fresh: ${since}, within the ${limit} minutes allowed.`
      : `${subject(ctx)} is late: ${since}, more than the ${limit} minutes allowed; materialize it or raise maxLagMinutes.`,
  };
}

function judgeCron(
  ctx: CheckContext<unknown, unknown>,
  policy: Extract<Policy, { kind: 'cron' }>,
): CheckResult {
  const graceMs = policy.maxLagMinutes * MINUTE_MS;
  // The tick whose deadline passed most recently: the latest tick at or before now - grace.
  const tick = latestDueTick(policy, ctx.now);
  const deadline = new Date(tick.getTime() + graceMs);
  const latest = ctx.history.latestMaterialization(ctx.assetKey, ctx.partitionKey);
  const metadata: Metadata = {
    maxLagMinutes: policy.maxLagMinutes,
    cronTick: md.timestamp(tick),
    deadline: md.timestamp(deadline),
  };
  const rule = `the "${policy.cron}" tick at ${tick.toISOString()} (${policy.timezone}) required a materialization by ${deadline.toISOString()}`;
  if (latest === undefined) {
    return {
      passed: false,
      metadata,
      description: `${subject(ctx)} has never been materialized: ${rule}; materialize it.`,
    };
  }
  metadata.lagMinutes = round(
    Math.max(0, ctx.now.getTime() - latest.timestamp.getTime()) / MINUTE_MS,
  );
  metadata.lastMaterializedAt = md.timestamp(latest.timestamp);
  const passed = latest.timestamp.getTime() >= tick.getTime();
  return {
    passed,
    metadata,
    description: passed
      ? `${subject(ctx)} is fresh: materialized at ${latest.timestamp.toISOString()}, after the tick at ${tick.toISOString()}.`
      : `${subject(ctx)} is late: ${rule}, but the latest materialization is from ${latest.timestamp.toISOString()}.`,
  };
}

function resolvePolicy(
  options: FreshnessCheckOptions<AnyAssetDefinition | string>,
  name: string,
): Policy {
  const asset = options?.asset;
  const label = `freshnessCheck "${name}" on ${typeof asset === 'string' ? `"${asset}"` : `"${asset?.key}"`}`;
  let given: FreshnessPolicy | undefined;
  if (options?.cron !== undefined)
    given = {
      cron: options.cron,
      timezone: options.timezone,
      maxLagMinutes: options.maxLagMinutes,
    };
  else if (options?.maxLagMinutes !== undefined) given = { maxLagMinutes: options.maxLagMinutes };
  else if (typeof asset === 'object' && asset !== null) given = asset.freshness;
  if (given === undefined) {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      `${label} needs "maxLagMinutes" or "cron" (or an asset handle with a "freshness" policy).`,
      { check: name },
    );
  }
  return compileFreshnessPolicy(given, label, { check: name });
}

function subject(ctx: CheckContext<unknown, unknown>): string {
  return ctx.partitionKey === undefined ? ctx.assetKey : `${ctx.assetKey} ${ctx.partitionKey}`;
}

// Minutes with at most 3 decimals: exact enough for ms lags, readable in the UI.
function round(minutes: number): number {
  return Math.round(minutes * 1000) / 1000;
}
