import type { Kysely } from 'kysely';
import type { Storage } from '../storage/storage.js';

/** A named lease (migration 004): one holder until `expires_at` (epoch ms). */
export interface LeasesTable {
  name: string;
  holder: string;
  /** Epoch ms; bigint, so Postgres returns it as a string. */
  expires_at: number | string;
  acquired_at: string;
}

/** One row per dispatched run: the primary key makes a claim exactly-once across processes. */
export interface RunClaimsTable {
  run_id: string;
  holder: string;
  claimed_at: string;
  /** Epoch ms of the claimer's last heartbeat (bigint: a string on Postgres). */
  heartbeat_at: number | string;
  /** The run's tags, JSON (migration 005): counted against tag limits across processes. */
  tags: string;
  /** The pools of the run's planned steps, a JSON array (migration 005). */
  pools: string;
}

/** Limits published by the leader daemon (migration 005): one row, `fleet`. */
export interface RunLimitsTable {
  name: string;
  /** JSON of `FleetLimits`. */
  config: string;
  /** The publishing daemon's holder id. */
  holder: string;
  updated_at: string;
}

/** The tables of migrations 004 and 005. */
export interface LeaseDatabase {
  leases: LeasesTable;
  run_claims: RunClaimsTable;
  run_limits: RunLimitsTable;
}

/** The storage's kysely instance typed for the lease tables. */
export function leaseDb(storage: Storage): Kysely<LeaseDatabase> {
  return storage.db as unknown as Kysely<LeaseDatabase>;
}
