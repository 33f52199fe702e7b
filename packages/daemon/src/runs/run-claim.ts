import type { Kysely } from 'kysely';
import type { LeaseDatabase } from '../leases/lease-tables.js';
import type { CairnDatabase } from '../storage/schema.js';
import type { Storage } from '../storage/storage.js';
import { blockedBy, type ConcurrencyLimits, type SlotHolder } from './concurrency-limits.js';
import { type EffectiveLimits, mergeLimits, readFleetLimits } from './fleet-limits.js';

/** A queued run a process would like to claim. */
export interface ClaimCandidate extends SlotHolder {
  runId: string;
}

/** What one claim pass did. */
export interface ClaimResult<T extends ClaimCandidate> {
  /** Runs claimed for this process, in dispatch order: execute them. */
  claimed: T[];
  /** Candidates no longer claimable (claimed elsewhere, canceled, not queued): forget them. */
  gone: string[];
  /** True when a limit held a candidate back (a later pass may claim it). */
  blocked: boolean;
}

/** Options of `claimRuns`. */
export interface ClaimOptions<T extends ClaimCandidate> {
  /** This process's queued runs in dispatch order (priority, then submission). */
  candidates: Iterable<T>;
  /** Most runs to claim (this process's free slots). */
  max: number;
  /** This process's limits; the published fleet limits are added. */
  limits: ConcurrencyLimits & { globalMaxConcurrentRuns?: number };
  /** `host:pid` of this process (recorded on the claim). */
  holder: string;
  /** ISO time of the claim. */
  timestamp: string;
}

// Candidates verified against the database per round trip.
const WINDOW = 32;

type Db = Kysely<CairnDatabase & LeaseDatabase>;

/**
 * Claims up to `max` of the candidates, in order, that are still queued and unclaimed and fit
 * the limits counted over the runs active in EVERY process sharing the database. One exclusive
 * transaction (Postgres: an advisory lock, the queued rows read `FOR UPDATE SKIP LOCKED`; SQLite:
 * BEGIN IMMEDIATE) serializes claimers, so two processes never both take the last slot of a tag
 * or pool, and the `run_claims` primary key keeps each run claimed exactly once. A claimed run
 * counts as active from its claim until its run ends, whoever holds it.
 */
export function claimRuns<T extends ClaimCandidate>(
  storage: Storage,
  options: ClaimOptions<T>,
): Promise<ClaimResult<T>> {
  return storage.exclusive(async (tx) => {
    const db = tx.db as unknown as Db;
    const limits = mergeLimits(
      options.limits,
      await readFleetLimits(db as unknown as Kysely<LeaseDatabase>),
    );
    const active = needsActive(limits) ? await activeClaims(db) : [];
    const claimed: T[] = [];
    const gone: string[] = [];
    let blocked = false;
    const iterator = options.candidates[Symbol.iterator]();
    let exhausted = false;
    while (claimed.length < options.max && !exhausted) {
      if (active.length + claimed.length >= limits.fleetMaxRuns) {
        blocked = true;
        break;
      }
      const holders = [...active, ...claimed];
      const window: T[] = [];
      while (window.length < WINDOW) {
        const next = iterator.next();
        if (next.done === true) {
          exhausted = true;
          break;
        }
        if (blockedBy(asLimits(limits), holders, next.value) === undefined) window.push(next.value);
        else blocked = true;
      }
      if (window.length === 0) break;
      const ids = window.map((c) => c.runId);
      const open = new Set(
        (
          await tx
            .skipLocked(
              db
                .selectFrom('runs')
                .select('runs.run_id')
                .where('runs.run_id', 'in', ids)
                .where('runs.status', '=', 'queued')
                .where((eb) =>
                  eb.not(
                    eb.exists(
                      eb
                        .selectFrom('run_claims')
                        .select('run_claims.run_id')
                        .whereRef('run_claims.run_id', '=', 'runs.run_id'),
                    ),
                  ),
                ),
            )
            .execute()
        ).map((r) => r.run_id),
      );
      for (const candidate of window) {
        if (!open.has(candidate.runId)) {
          gone.push(candidate.runId);
          continue;
        }
        if (claimed.length >= options.max) break;
        if (active.length + claimed.length >= limits.fleetMaxRuns) {
          blocked = true;
          break;
        }
        if (blockedBy(asLimits(limits), [...active, ...claimed], candidate) !== undefined) {
          blocked = true;
          continue;
        }
        claimed.push(candidate);
      }
    }
    if (claimed.length === 0) return { claimed, gone, blocked };
    const heartbeat = Date.now();
    const inserted = await db
      .insertInto('run_claims')
      .values(
        claimed.map((c) => ({
          run_id: c.runId,
          holder: options.holder,
          claimed_at: options.timestamp,
          heartbeat_at: heartbeat,
          tags: JSON.stringify(c.tags),
          pools: JSON.stringify(c.pools),
        })),
      )
      .onConflict((oc) => oc.column('run_id').doNothing())
      .returning('run_id')
      .execute();
    // Under the exclusive lock nothing else claims; the key still guards exactly-once.
    const won = new Set(inserted.map((r) => r.run_id));
    for (const c of claimed) if (!won.has(c.runId)) gone.push(c.runId);
    return { claimed: claimed.filter((c) => won.has(c.runId)), gone, blocked };
  });
}

/**
 * Voids the claims whose holder stopped heartbeating `expireMs` ago before its run started (it
 * died between the claim and `run_started`): deletes them, so the still-queued runs are
 * claimable again. Returns their run ids. Claims in `except` (this process's own) are kept.
 */
export function voidStaleClaims(
  storage: Storage,
  expireMs: number,
  except: ReadonlySet<string> = new Set(),
): Promise<string[]> {
  return storage.exclusive(async (tx) => {
    const db = tx.db as unknown as Db;
    const cutoff = Date.now() - expireMs;
    const rows = await db
      .selectFrom('run_claims')
      .innerJoin('runs', 'runs.run_id', 'run_claims.run_id')
      .select('run_claims.run_id')
      .where('runs.status', '=', 'queued')
      .where('run_claims.heartbeat_at', '<', cutoff)
      .execute();
    const stale = rows.map((r) => r.run_id).filter((id) => !except.has(id));
    if (stale.length === 0) return [];
    await db
      .deleteFrom('run_claims')
      .where('run_id', 'in', stale)
      .where('heartbeat_at', '<', cutoff)
      .execute();
    return stale;
  });
}

function needsActive(limits: EffectiveLimits): boolean {
  return (
    limits.tagLimits.length > 0 ||
    Object.keys(limits.pools).length > 0 ||
    limits.fleetMaxRuns !== Number.POSITIVE_INFINITY
  );
}

function asLimits(limits: EffectiveLimits): ConcurrencyLimits {
  return {
    maxConcurrentRuns: Number.POSITIVE_INFINITY,
    tagLimits: limits.tagLimits,
    pools: limits.pools,
  };
}

/** Tags and pools of the runs claimed and not ended, in every process. */
async function activeClaims(db: Db): Promise<SlotHolder[]> {
  const rows = await db
    .selectFrom('runs')
    .innerJoin('run_claims', 'run_claims.run_id', 'runs.run_id')
    .select(['run_claims.tags', 'run_claims.pools'])
    .where('runs.status', 'in', ['queued', 'started'])
    .execute();
  return rows.map((r) => ({
    tags: parseJson<Record<string, string>>(r.tags, {}),
    pools: parseJson<string[]>(r.pools, []),
  }));
}

function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** Deletes this process's claims of runs it will not execute after all (still queued or canceled). */
export async function releaseClaims(
  storage: Storage,
  runIds: readonly string[],
  holder: string,
): Promise<void> {
  if (runIds.length === 0) return;
  await (storage.db as unknown as Db)
    .deleteFrom('run_claims')
    .where('run_id', 'in', [...runIds])
    .where('holder', '=', holder)
    .execute();
}
