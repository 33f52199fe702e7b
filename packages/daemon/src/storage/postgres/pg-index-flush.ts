import type { PgIndexStore } from './pg-index-store.js';
import { lit, multiInsert, type SqlValue, tuple, upsertSuffix } from './pg-literal.js';
import { chunks, type PgStatement } from './pg-statements.js';

/**
 * Writing a `PgIndexStore`'s changes back: deletes before upserts, table by table, the big row
 * sets as one unnest upsert each, the rest as literal statements sent together.
 */

// Column types of the bulk upserts (unnest needs the array types).
const PART_TYPES = {
  asset_key: 'text',
  partition_key: 'text',
  partition_index: 'bigint',
  status: 'text',
  prev_status: 'text',
  last_materialization_event_id: 'bigint',
  last_observation_event_id: 'bigint',
  data_version: 'text',
  code_version: 'text',
  run_id: 'text',
  updated_at: 'text',
} as const;
const RUN_TYPES = {
  run_id: 'text',
  status: 'text',
  created_event_id: 'bigint',
  backfill_id: 'text',
  idempotency_key: 'text',
  priority: 'integer',
  tags: 'text',
  selection: 'text',
  partition_keys: 'text',
  partition_range: 'text',
  step_keys: 'text',
  counts: 'text',
  queued_at: 'text',
  started_at: 'text',
  ended_at: 'text',
  duration_ms: 'integer',
} as const;
const STEP_TYPES = {
  run_id: 'text',
  step_key: 'text',
  status: 'text',
  asset_keys: 'text',
  partition_key: 'text',
  attempts: 'integer',
  materializations: 'integer',
  started_at: 'text',
  ended_at: 'text',
  error: 'text',
} as const;
const CHECK_TYPES = {
  check_id: 'text',
  partition_key: 'text',
  asset_key: 'text',
  check_name: 'text',
  event_id: 'bigint',
  run_id: 'text',
  passed: 'integer',
  severity: 'text',
  blocking: 'integer',
  timestamp: 'text',
} as const;
const PART_COLUMNS = Object.keys(PART_TYPES) as (keyof typeof PART_TYPES)[];
const RUN_COLUMNS = Object.keys(RUN_TYPES) as (keyof typeof RUN_TYPES)[];
const STEP_COLUMNS = Object.keys(STEP_TYPES) as (keyof typeof STEP_TYPES)[];

/**
 * One `insert ... select from unnest($1::t[], ...) on conflict do update` per table: the rows
 * travel as one array per column, which Postgres parses far faster than thousands of VALUES
 * tuples (a batch of 5,000 materializations upserts 5,000 partition rows).
 */
function upsert(
  table: string,
  keys: readonly string[],
  types: Record<string, string>,
  rows: readonly (readonly SqlValue[])[],
): PgStatement[] {
  if (rows.length === 0) return [];
  const columns = Object.keys(types);
  const arrays = columns.map((_, i) => rows.map((r) => r[i] ?? null));
  const unnest = columns.map((c, i) => `$${i + 1}::${types[c]}[]`).join(', ');
  return [
    {
      text: `insert into ${table} (${columns.join(', ')}) select * from unnest(${unnest}) ${upsertSuffix(keys, columns)}`,
      values: arrays,
    },
  ];
}

function pick<T extends object>(row: T, columns: readonly (keyof T)[]): SqlValue[] {
  return columns.map((c) => row[c] as SqlValue);
}

/** The statements that write a store's changes (deletes before upserts, table by table). */
export function renderChanges(store: PgIndexStore): PgStatement[] {
  const out: PgStatement[] = [];
  for (const assetKey of store.wiped) {
    for (const table of ['asset_partitions', 'partition_ranges', 'asset_status_counts']) {
      out.push(`delete from ${table} where asset_key = ${lit(assetKey)}`);
    }
  }
  const deleted: [string, string][] = [];
  const parts: SqlValue[][] = [];
  for (const [key, row] of store.parts) {
    if (row === null) deleted.push(key.split('\u0000') as [string, string]);
    else parts.push(pick(row, PART_COLUMNS));
  }
  for (const c of chunks(deleted)) {
    out.push(
      `delete from asset_partitions where (asset_key, partition_key) in (${c.map((k) => tuple(k)).join(', ')})`,
    );
  }
  out.push(...upsert('asset_partitions', ['asset_key', 'partition_key'], PART_TYPES, parts));

  for (const [assetKey, work] of store.ranges) {
    const gone: number[] = [];
    const rows: SqlValue[][] = [];
    for (const [start, range] of work.changes) {
      if (range === null) gone.push(start);
      else rows.push([assetKey, range.startIndex, range.endIndex, range.status]);
    }
    for (const c of chunks(gone)) {
      out.push(
        `delete from partition_ranges where asset_key = ${lit(assetKey)} and start_index in (${c.join(', ')})`,
      );
    }
    const columns = ['asset_key', 'start_index', 'end_index', 'status'];
    for (const c of chunks(rows)) {
      out.push(
        multiInsert(
          'partition_ranges',
          columns,
          c,
          upsertSuffix(['asset_key', 'start_index'], columns),
        ),
      );
    }
  }
  const counts: SqlValue[][] = [];
  for (const [assetKey, m] of store.counts) {
    for (const [status, delta] of m) counts.push([assetKey, status, delta]);
  }
  for (const c of chunks(counts)) {
    out.push(
      multiInsert(
        'asset_status_counts',
        ['asset_key', 'status', 'count'],
        c,
        'on conflict (asset_key, status) do update set count = asset_status_counts.count + excluded.count',
      ),
    );
  }
  const runs = [...store.runs.values()].map((r) => pick(r, RUN_COLUMNS));
  out.push(...upsert('runs', ['run_id'], RUN_TYPES, runs));
  const steps: SqlValue[][] = [];
  for (const m of store.steps.values())
    for (const r of m.values()) steps.push(pick(r, STEP_COLUMNS));
  out.push(...upsert('steps', ['run_id', 'step_key'], STEP_TYPES, steps));
  const checks = [...store.checks.values()].map((r) => [
    r.checkId,
    r.partitionKey,
    r.assetKey,
    r.checkName,
    r.eventId,
    r.runId,
    r.passed ? 1 : 0,
    r.severity,
    r.blocking ? 1 : 0,
    r.timestamp,
  ]);
  out.push(...upsert('check_results', ['check_id', 'partition_key'], CHECK_TYPES, checks));
  out.push(...store.log.statements());
  return out;
}
