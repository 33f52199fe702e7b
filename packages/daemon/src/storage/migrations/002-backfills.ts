import { type Kysely, type Migration, sql } from 'kysely';

/**
 * The backfill ledger: `backfills` (one row per backfill: its request and whether it is canceled)
 * and `backfill_partitions` (one row per asset partition of a backfill: its chunk, status and
 * current run). Both are derived from the event log like every other index.
 */
export function backfillsMigration(): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('backfills')
        .addColumn('backfill_id', 'text', (c) => c.primaryKey())
        .addColumn('created_event_id', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        // JSON: the request as given (selection, partitions) and the submit options.
        .addColumn('request', 'text', (c) => c.notNull())
        .addColumn('chunks', 'integer', (c) => c.notNull())
        .addColumn('canceled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('passes', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('backfill_partitions')
        .addColumn('backfill_id', 'text', (c) => c.notNull())
        .addColumn('asset_key', 'text', (c) => c.notNull())
        .addColumn('partition_key', 'text', (c) => c.notNull())
        .addColumn('chunk', 'integer', (c) => c.notNull())
        // Order of the row in the request (chunk order, then key order), to build runs in order.
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('run_id', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('backfill_partitions_pk', [
          'backfill_id',
          'asset_key',
          'partition_key',
        ])
        .execute();
      // The loop's question: the next chunks with requested rows, in order.
      await db.schema
        .createIndex('backfill_partitions_status')
        .on('backfill_partitions')
        .columns(['backfill_id', 'status', 'chunk', 'position'])
        .execute();
      await db.schema
        .createIndex('backfill_partitions_chunk')
        .on('backfill_partitions')
        .columns(['backfill_id', 'chunk', 'status'])
        .execute();
      // A run's outcome events (and its retry) find the rows it owns without scanning the backfill.
      await db.schema
        .createIndex('backfill_partitions_run')
        .on('backfill_partitions')
        .columns(['run_id', 'status'])
        .where(sql.ref('run_id'), 'is not', null)
        .execute();
    },
  };
}
