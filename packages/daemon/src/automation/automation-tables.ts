import type { Generated, Kysely } from 'kysely';
import type { Storage } from '../storage/storage.js';

/** `stale_partitions`: one row per STALE asset partition with its causes (migration 003). */
export interface StalePartitionsTable {
  asset_key: string;
  partition_key: string;
  causes: string;
  updated_at: string;
}

/** `automation_state`: small key/value state (automation memory, known code versions). */
export interface AutomationStateTable {
  key: string;
  value: string;
}

/** `automation_ticks`: one row per automation tick. */
export interface AutomationTicksTable {
  id: Generated<number>;
  evaluated_at: string;
  duration_ms: number;
  evaluated_assets: number;
  run_ids: string;
  error: string | null;
}

/** `automation_evaluations`: one row per asset with a decision in a tick. */
export interface AutomationEvaluationsTable {
  id: Generated<number>;
  tick_id: number;
  evaluated_at: string;
  asset_key: string;
  requested: number;
  evaluation: string;
}

/** `instigator_state`: running/stopped and cursors of schedules and sensors. */
export interface InstigatorStateTable {
  kind: string;
  name: string;
  status: string;
  cursor: string | null;
  event_cursor: number | null;
  last_evaluated_at: string | null;
  updated_at: string;
}

/** `instigator_ticks`: every schedule and sensor tick with its outcome; UNIQUE (kind, name, tick_key). */
export interface InstigatorTicksTable {
  id: Generated<number>;
  kind: string;
  name: string;
  tick_key: string;
  status: string;
  run_ids: string;
  reason: string | null;
  error: string | null;
  cursor: string | null;
  created_at: string;
}

/** `sensor_run_keys`: the run keys a sensor submitted (never twice). */
export interface SensorRunKeysTable {
  sensor: string;
  run_key: string;
  run_id: string | null;
  created_at: string;
}

/** `alert_deliveries`: one row per webhook delivery with its outcome. */
export interface AlertDeliveriesTable {
  id: Generated<number>;
  url: string;
  event: string;
  status: string;
  attempts: number;
  http_status: number | null;
  error: string | null;
  payload: string;
  created_at: string;
  updated_at: string;
}

/** The tables of migration 003, as kysely sees them. */
export interface AutomationDatabase {
  stale_partitions: StalePartitionsTable;
  automation_state: AutomationStateTable;
  automation_ticks: AutomationTicksTable;
  automation_evaluations: AutomationEvaluationsTable;
  instigator_state: InstigatorStateTable;
  instigator_ticks: InstigatorTicksTable;
  sensor_run_keys: SensorRunKeysTable;
  alert_deliveries: AlertDeliveriesTable;
}

/** The storage's kysely instance typed with the automation tables (they live in the same database). */
export function automationDb(storage: Storage): Kysely<AutomationDatabase> {
  return storage.db as unknown as Kysely<AutomationDatabase>;
}

/** Reads a JSON value from `automation_state`, or undefined. */
export async function readStateValue(
  db: Kysely<AutomationDatabase>,
  key: string,
): Promise<unknown> {
  const row = await db
    .selectFrom('automation_state')
    .select('value')
    .where('key', '=', key)
    .executeTakeFirst();
  return row === undefined ? undefined : JSON.parse(row.value);
}

/** Writes a JSON value to `automation_state` (insert or replace). */
export async function writeStateValue(
  db: Kysely<AutomationDatabase>,
  key: string,
  value: unknown,
): Promise<void> {
  const text = JSON.stringify(value);
  await db
    .insertInto('automation_state')
    .values({ key, value: text })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: text }))
    .execute();
}
