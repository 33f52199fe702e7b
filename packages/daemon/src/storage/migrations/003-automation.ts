import type { ColumnDefinitionBuilder, Kysely, Migration } from 'kysely';
import type { SqlFlavor } from './sql-flavor.js';

/**
 * The daemon's automation state: stale partitions (derived, kept current incrementally), the
 * automation ticks and their evaluations, schedule and sensor state and ticks (a UNIQUE tick key
 * per instigator makes each tick fire once even with two daemons on one database), sensor run
 * keys, key/value state (automation memory, known code versions) and alert deliveries.
 * Plain portable types only, so the Postgres port is the same calls.
 */
export function automationMigration(flavor: SqlFlavor): Migration {
  // A generated sequence id: SQLite's rowid alias, Postgres' identity column.
  const id = (c: ColumnDefinitionBuilder) =>
    flavor === 'postgres' ? c.primaryKey().generatedAlwaysAsIdentity() : c.primaryKey();
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('stale_partitions')
        .addColumn('asset_key', 'text', (c) => c.notNull())
        // '' for unpartitioned assets, as in asset_partitions.
        .addColumn('partition_key', 'text', (c) => c.notNull())
        // JSON: core's StaleCause[].
        .addColumn('causes', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('stale_partitions_pk', ['asset_key', 'partition_key'])
        .execute();
      await db.schema
        .createTable('automation_state')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('automation_ticks')
        .addColumn('id', 'integer', id)
        .addColumn('evaluated_at', 'text', (c) => c.notNull())
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('evaluated_assets', 'integer', (c) => c.notNull())
        .addColumn('run_ids', 'text', (c) => c.notNull())
        .addColumn('error', 'text')
        .execute();
      await db.schema
        .createTable('automation_evaluations')
        .addColumn('id', 'integer', id)
        .addColumn('tick_id', 'integer', (c) => c.notNull())
        .addColumn('evaluated_at', 'text', (c) => c.notNull())
        .addColumn('asset_key', 'text', (c) => c.notNull())
        .addColumn('requested', 'integer', (c) => c.notNull())
        // JSON: core's AssetAutomationEvaluation plus the condition tree.
        .addColumn('evaluation', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('automation_evaluations_asset')
        .on('automation_evaluations')
        .columns(['asset_key', 'id'])
        .execute();
      await db.schema
        .createTable('instigator_state')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        // Schedules: the last tick handled (ISO). Sensors: the user's cursor.
        .addColumn('cursor', 'text')
        // Sensors: the last event id fed to asset and run-status sensors.
        .addColumn('event_cursor', 'bigint')
        .addColumn('last_evaluated_at', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('instigator_state_pk', ['kind', 'name'])
        .execute();
      await db.schema
        .createTable('instigator_ticks')
        .addColumn('id', 'integer', id)
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        // Schedules: the tick instant (ISO); sensors: the evaluation instant.
        .addColumn('tick_key', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        // JSON: string[].
        .addColumn('run_ids', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('error', 'text')
        .addColumn('cursor', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('instigator_ticks_unique', ['kind', 'name', 'tick_key'])
        .execute();
      await db.schema
        .createIndex('instigator_ticks_name')
        .on('instigator_ticks')
        .columns(['kind', 'name', 'id'])
        .execute();
      await db.schema
        .createTable('sensor_run_keys')
        .addColumn('sensor', 'text', (c) => c.notNull())
        .addColumn('run_key', 'text', (c) => c.notNull())
        .addColumn('run_id', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('sensor_run_keys_pk', ['sensor', 'run_key'])
        .execute();
      await db.schema
        .createTable('alert_deliveries')
        .addColumn('id', 'integer', id)
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('http_status', 'integer')
        .addColumn('error', 'text')
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
