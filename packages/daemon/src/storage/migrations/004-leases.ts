import type { Kysely, Migration } from 'kysely';

/**
 * Coordination between processes sharing one database: `leases` (a named lease, e.g. the
 * daemon leader's, held by one process until `expires_at`, epoch ms, renewed by a conditional
 * UPDATE) and `run_claims` (one row per dispatched run: the primary key makes the claim
 * exactly-once across processes; its heartbeat says the claimer is alive). Plain portable types, the same calls on SQLite and Postgres.
 */
export function leasesMigration(): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('leases')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('acquired_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('run_claims')
        .addColumn('run_id', 'text', (c) => c.primaryKey())
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('claimed_at', 'text', (c) => c.notNull())
        // Epoch ms of the claimer's last heartbeat: a started run whose heartbeat is older than the
        // lease is recovered by the leader (its process died or lost the database).
        .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  };
}
