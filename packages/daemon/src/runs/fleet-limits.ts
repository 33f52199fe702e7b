import type { Kysely } from 'kysely';
import { z } from 'zod';
import { type LeaseDatabase, leaseDb } from '../leases/lease-tables.js';
import type { Storage } from '../storage/storage.js';
import type { ConcurrencyLimits, TagLimit } from './concurrency-limits.js';

/**
 * The limits that hold across every process sharing a database. The leader daemon publishes its
 * `tagLimits`, `pools` and `globalMaxConcurrentRuns` (the `fleet` row of `run_limits`) when it
 * takes the lease; every claimer, daemon or `cairn worker`, enforces them together with its own,
 * counting the runs active anywhere.
 */

/** The limits published for the whole fleet. */
export interface FleetLimits {
  /** Most runs executing at once across all processes; undefined = no such limit. */
  maxConcurrentRuns?: number;
  tagLimits: readonly TagLimit[];
  pools: Readonly<Record<string, number>>;
}

const ROW = 'fleet';

const fleetLimitsSchema = z.object({
  maxConcurrentRuns: z.number().int().min(0).optional(),
  tagLimits: z.array(
    z.object({ key: z.string(), value: z.string().optional(), limit: z.number().int().min(0) }),
  ),
  pools: z.record(z.string(), z.number().int().min(0)),
});

/** Stores `limits` as the fleet's (the leader calls it when it takes the lease). */
export async function publishFleetLimits(
  storage: Storage,
  limits: FleetLimits,
  holder: string,
  timestamp: string,
): Promise<void> {
  const config = JSON.stringify({
    ...(limits.maxConcurrentRuns === undefined
      ? {}
      : { maxConcurrentRuns: limits.maxConcurrentRuns }),
    tagLimits: limits.tagLimits,
    pools: limits.pools,
  });
  await leaseDb(storage)
    .insertInto('run_limits')
    .values({ name: ROW, config, holder, updated_at: timestamp })
    .onConflict((oc) => oc.column('name').doUpdateSet({ config, holder, updated_at: timestamp }))
    .execute();
}

/** The published fleet limits (none when no leader published any, or the row is unreadable). */
export async function readFleetLimits(db: Kysely<LeaseDatabase>): Promise<FleetLimits | undefined> {
  const row = await db
    .selectFrom('run_limits')
    .select('config')
    .where('name', '=', ROW)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(row.config);
  } catch {
    return undefined;
  }
  const result = fleetLimitsSchema.safeParse(parsed);
  return result.success ? (result.data as FleetLimits) : undefined;
}

/** Limits a claim enforces: this process's and the fleet's (the stricter of each applies). */
export interface EffectiveLimits {
  /** Most active runs in the fleet (Infinity: none). */
  fleetMaxRuns: number;
  tagLimits: readonly TagLimit[];
  pools: Readonly<Record<string, number>>;
}

/** Merges a process's own limits with the published ones. */
export function mergeLimits(
  own: ConcurrencyLimits & { globalMaxConcurrentRuns?: number },
  fleet: FleetLimits | undefined,
): EffectiveLimits {
  const tagLimits = [...own.tagLimits];
  const seen = new Set(tagLimits.map(tagLimitKey));
  for (const t of fleet?.tagLimits ?? []) {
    if (!seen.has(tagLimitKey(t))) tagLimits.push(t);
  }
  const pools: Record<string, number> = { ...own.pools };
  for (const [pool, slots] of Object.entries(fleet?.pools ?? {})) {
    pools[pool] = Math.min(pools[pool] ?? Number.POSITIVE_INFINITY, slots);
  }
  return {
    fleetMaxRuns: Math.min(
      own.globalMaxConcurrentRuns ?? Number.POSITIVE_INFINITY,
      fleet?.maxConcurrentRuns ?? Number.POSITIVE_INFINITY,
    ),
    tagLimits,
    pools,
  };
}

function tagLimitKey(t: TagLimit): string {
  return `${t.key}\0${t.value ?? ''}\0${t.value === undefined ? '*' : '='}\0${t.limit}`;
}
