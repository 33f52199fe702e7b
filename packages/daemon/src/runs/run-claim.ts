import { leaseDb } from '../leases/lease-tables.js';
import type { Storage } from '../storage/storage.js';

/**
 * Claims a queued run for this process: inserts its `run_claims` row (primary key `run_id`,
 * `ON CONFLICT DO NOTHING`), atomic on SQLite and Postgres, so of several daemons dispatching from
 * one database exactly one wins. True when this process won the claim.
 */
export async function claimRun(
  storage: Storage,
  runId: string,
  owner: { pid: number; host: string },
  timestamp: string,
): Promise<boolean> {
  const result = await leaseDb(storage)
    .insertInto('run_claims')
    .values({
      run_id: runId,
      holder: `${owner.host}:${owner.pid}`,
      claimed_at: timestamp,
      heartbeat_at: Date.now(),
    })
    .onConflict((oc) => oc.column('run_id').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}
