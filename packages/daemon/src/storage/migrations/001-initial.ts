import { type Kysely, type Migration, sql } from 'kysely';
import type { SqlFlavor } from './sql-flavor.js';

/**
 * The first schema: the event log, the derived indexes and the meta table. Written with kysely's
 * schema builder so the same migration serves SQLite and (later) Postgres; the only difference,
 * how the event id sequence is declared, comes from the flavor.
 */
export function initialMigration(flavor: SqlFlavor): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('event_log')
        // SQLite: `integer primary key` aliases the rowid, so the sequence costs no extra index.
        .addColumn('id', flavor === 'postgres' ? 'bigint' : 'integer', (c) =>
          flavor === 'postgres' ? c.primaryKey().generatedAlwaysAsIdentity() : c.primaryKey(),
        )
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('run_id', 'text')
        .addColumn('asset_key', 'text')
        .addColumn('partition_key', 'text')
        .addColumn('step_key', 'text')
        .addColumn('timestamp', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('event_log_run')
        .on('event_log')
        .columns(['run_id', 'id'])
        .where(sql.ref('run_id'), 'is not', null)
        .execute();
      await db.schema
        .createIndex('event_log_asset')
        .on('event_log')
        .columns(['asset_key', 'type', 'id'])
        .where(sql.ref('asset_key'), 'is not', null)
        .execute();
      await db.schema
        .createIndex('event_log_asset_partition')
        .on('event_log')
        .columns(['asset_key', 'partition_key', 'type', 'id'])
        .where(sql.ref('partition_key'), 'is not', null)
        .execute();

      await db.schema
        .createTable('runs')
        .addColumn('run_id', 'text', (c) => c.primaryKey())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_event_id', 'bigint', (c) => c.notNull())
        .addColumn('backfill_id', 'text')
        .addColumn('idempotency_key', 'text')
        .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('tags', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('selection', 'text')
        .addColumn('partition_keys', 'text')
        .addColumn('partition_range', 'text')
        .addColumn('step_keys', 'text')
        .addColumn('counts', 'text')
        .addColumn('queued_at', 'text')
        .addColumn('started_at', 'text')
        .addColumn('ended_at', 'text')
        .addColumn('duration_ms', 'integer')
        .execute();
      await db.schema
        .createIndex('runs_created')
        .on('runs')
        .columns(['created_event_id'])
        .execute();
      await db.schema
        .createIndex('runs_status')
        .on('runs')
        .columns(['status', 'created_event_id'])
        .execute();
      await db.schema
        .createIndex('runs_backfill')
        .on('runs')
        .columns(['backfill_id'])
        .where(sql.ref('backfill_id'), 'is not', null)
        .execute();
      await db.schema
        .createIndex('runs_idempotency')
        .on('runs')
        .columns(['idempotency_key'])
        .where(sql.ref('idempotency_key'), 'is not', null)
        .execute();

      await db.schema
        .createTable('steps')
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('step_key', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('asset_keys', 'text', (c) => c.notNull())
        .addColumn('partition_key', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('materializations', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('ended_at', 'text')
        .addColumn('error', 'text')
        .addPrimaryKeyConstraint('steps_pk', ['run_id', 'step_key'])
        .execute();

      await db.schema
        .createTable('asset_partitions')
        .addColumn('asset_key', 'text', (c) => c.notNull())
        .addColumn('partition_key', 'text', (c) => c.notNull())
        .addColumn('partition_index', 'bigint')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('prev_status', 'text')
        .addColumn('last_materialization_event_id', 'bigint')
        .addColumn('last_observation_event_id', 'bigint')
        .addColumn('data_version', 'text')
        .addColumn('code_version', 'text')
        .addColumn('run_id', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('asset_partitions_pk', ['asset_key', 'partition_key'])
        .execute();
      // Finding what a run left in progress when it ends must not scan every partition.
      await db.schema
        .createIndex('asset_partitions_in_progress')
        .on('asset_partitions')
        .columns(['run_id'])
        .where(sql.ref('status'), '=', 'in_progress')
        .execute();

      await db.schema
        .createTable('partition_ranges')
        .addColumn('asset_key', 'text', (c) => c.notNull())
        .addColumn('start_index', 'bigint', (c) => c.notNull())
        .addColumn('end_index', 'bigint', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('partition_ranges_pk', ['asset_key', 'start_index'])
        .execute();
      await db.schema
        .createIndex('partition_ranges_status')
        .on('partition_ranges')
        .columns(['asset_key', 'status', 'start_index'])
        .execute();

      await db.schema
        .createTable('asset_status_counts')
        .addColumn('asset_key', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('count', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('asset_status_counts_pk', ['asset_key', 'status'])
        .execute();

      await db.schema
        .createTable('check_results')
        .addColumn('check_id', 'text', (c) => c.notNull())
        .addColumn('partition_key', 'text', (c) => c.notNull())
        .addColumn('asset_key', 'text', (c) => c.notNull())
        .addColumn('check_name', 'text', (c) => c.notNull())
        .addColumn('event_id', 'bigint', (c) => c.notNull())
        .addColumn('run_id', 'text')
        .addColumn('passed', 'integer', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('blocking', 'integer', (c) => c.notNull())
        .addColumn('timestamp', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('check_results_pk', ['check_id', 'partition_key'])
        .execute();
      await db.schema
        .createIndex('check_results_asset')
        .on('check_results')
        .columns(['asset_key', 'check_id'])
        .execute();

      await db.schema
        .createTable('dynamic_partitions')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('position', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('dynamic_partitions_pk', ['name', 'key'])
        .execute();
      await db.schema
        .createIndex('dynamic_partitions_position')
        .on('dynamic_partitions')
        .columns(['name', 'position'])
        .execute();

      await db.schema
        .createTable('meta')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
      await db
        .insertInto('meta')
        .values([
          { key: 'created_at', value: new Date().toISOString() },
          { key: 'created_by', value: '@cairn/daemon 0.1.0' },
        ])
        .execute();
    },
  };
}
