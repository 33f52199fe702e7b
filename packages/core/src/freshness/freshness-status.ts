import type { AnyAssetDefinition } from '../asset-types.js';
import { CairnError } from '../errors.js';
import type { TimeWindow } from '../partitions/partitions-definition.js';
import { compileFreshnessPolicy, latestDueTick, nextTick } from './freshness-policy.js';

/** The freshness of an asset (or partition) at an instant. */
export interface FreshnessStatus {
  /** `fresh` within the policy, `stale` past it, `unknown` when never materialized. */
  status: 'fresh' | 'stale' | 'unknown';
  /** Minutes since the latest materialization (or since its window ended, when later); undefined when unknown. */
  lagMinutes: number | undefined;
  /**
   * When fresh: the instant it becomes stale if nothing is materialized. When stale: the deadline it
   * missed. Undefined when unknown with a rolling policy.
   */
  deadline: Date | undefined;
  /** The policy's limit, in minutes (the grace period of a cron policy). */
  maxLagMinutes: number;
  /** One sentence for humans. */
  description: string;
}

const MINUTE_MS = 60_000;

/**
 * The freshness status of an asset under its `freshness` policy, by the same rules as
 * `freshnessCheck()`: rolling (`maxLagMinutes`): the latest materialization (or the end of the
 * partition's window, when later) is at most that old; cron: the latest materialization came at or
 * after the latest tick whose deadline (tick + `maxLagMinutes`) has passed. Throws
 * CAIRN_INVALID_OPTIONS when the asset has no freshness policy.
 *
 * @example
 * freshnessStatus(orders, { timestamp: new Date('2024-03-02T08:00Z') }, new Date('2024-03-02T09:30Z'));
 * // { status: 'stale', lagMinutes: 90, deadline: 2024-03-02T09:00Z, ... } for { maxLagMinutes: 60 }
 */
export function freshnessStatus(
  asset: AnyAssetDefinition,
  latestMaterialization: { timestamp: Date } | undefined,
  now: Date,
  options: { partitionTimeWindow?: TimeWindow } = {},
): FreshnessStatus {
  if (asset?.freshness === undefined) {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      `Asset "${asset?.key}" has no freshness policy; declare freshness: { maxLagMinutes } or { cron, timezone, maxLagMinutes } on it.`,
      { asset: asset?.key },
    );
  }
  const policy = compileFreshnessPolicy(asset.freshness, `The freshness policy of "${asset.key}"`, {
    asset: asset.key,
  });
  const limit = policy.maxLagMinutes;
  const latest = latestMaterialization?.timestamp;
  if (policy.kind === 'lag') {
    if (latest === undefined) {
      return {
        status: 'unknown',
        lagMinutes: undefined,
        deadline: undefined,
        maxLagMinutes: limit,
        description: `${asset.key} has never been materialized.`,
      };
    }
    const end = options.partitionTimeWindow?.end;
    const reference = end !== undefined && end > latest ? end : latest;
    const lagMs = Math.max(0, now.getTime() - reference.getTime());
    const deadline = new Date(reference.getTime() + limit * MINUTE_MS);
    const fresh = lagMs <= limit * MINUTE_MS;
    const lagMinutes = round(lagMs / MINUTE_MS);
    return {
      status: fresh ? 'fresh' : 'stale',
      lagMinutes,
      deadline,
      maxLagMinutes: limit,
      description: fresh
        ? `${asset.key} is fresh: ${lagMinutes} minutes behind, within ${limit}; stale after ${deadline.toISOString()}.`
        : `${asset.key} is stale: ${lagMinutes} minutes behind, more than the ${limit} allowed since ${deadline.toISOString()}.`,
    };
  }
  const tick = latestDueTick(policy, now);
  const graceMs = limit * MINUTE_MS;
  if (latest === undefined) {
    return {
      status: 'unknown',
      lagMinutes: undefined,
      deadline: new Date(tick.getTime() + graceMs),
      maxLagMinutes: limit,
      description: `${asset.key} has never been materialized.`,
    };
  }
  const lagMinutes = round(Math.max(0, now.getTime() - latest.getTime()) / MINUTE_MS);
  if (latest.getTime() >= tick.getTime()) {
    // Fresh until the deadline of the first tick after the materialization that counts.
    const next = nextTick(policy, latest);
    const deadline = new Date(next.getTime() + graceMs);
    return {
      status: 'fresh',
      lagMinutes,
      deadline,
      maxLagMinutes: limit,
      description: `${asset.key} is fresh: materialized at ${latest.toISOString()}, after the tick at ${tick.toISOString()}; next deadline ${deadline.toISOString()}.`,
    };
  }
  const deadline = new Date(tick.getTime() + graceMs);
  return {
    status: 'stale',
    lagMinutes,
    deadline,
    maxLagMinutes: limit,
    description: `${asset.key} is stale: the tick at ${tick.toISOString()} required a materialization by ${deadline.toISOString()}, but the latest is from ${latest.toISOString()}.`,
  };
}

// Minutes with at most 3 decimals, as freshnessCheck reports them.
function round(minutes: number): number {
  return Math.round(minutes * 1000) / 1000;
}
