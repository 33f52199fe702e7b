import type { Kysely, Migration } from 'kysely';

/**
 * Concurrency limits across processes sharing one database. `run_claims` gains the `tags` and
 * `pools` of each claimed run (JSON), so a claimer counts the fleet's active runs per tag and pool
 * with one query; `run_limits` holds the limits the leader daemon publishes (one JSON row,
 * `fleet`), which every daemon and worker enforces. Plain portable types, as in 004.
 */
export function fleetLimitsMigration(): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .alterTable('run_claims')
        .addColumn('tags', 'text', (c) => c.notNull().defaultTo('{}'))
        .execute();
      await db.schema
        .alterTable('run_claims')
        .addColumn('pools', 'text', (c) => c.notNull().defaultTo('[]'))
        .execute();
      await db.schema
        .createTable('run_limits')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('config', 'text', (c) => c.notNull())
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
