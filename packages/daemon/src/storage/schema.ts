import type { Generated } from 'kysely';

/**
 * The tables of the daemon's database, as kysely sees them. `event_log` is the source of truth;
 * every other table except `meta` is derived from it and can be rebuilt by replaying the log.
 * JSON columns hold text (SQLite has no JSON type; Postgres will use jsonb behind the same names).
 */

/** The status of one asset partition as the derived indexes track it. */
export type PartitionStatus = 'materialized' | 'failed' | 'in_progress';

/** A partition's status in `asset_partitions`, where `missing` rows exist (observed, reverted). */
export type PartitionRowStatus = PartitionStatus | 'missing';

/** The status of a run. */
export type RunStatus = 'queued' | 'started' | 'success' | 'failure' | 'canceled';

/** The status of a step of a run. */
export type StepStatus = 'in_progress' | 'succeeded' | 'failed' | 'skipped' | 'canceled';

/** One row per event; `id` is the global sequence (SQLite: the rowid). */
export interface EventLogTable {
  id: Generated<number>;
  type: string;
  run_id: string | null;
  asset_key: string | null;
  partition_key: string | null;
  step_key: string | null;
  timestamp: string;
  /** The whole event as JSON. */
  payload: string;
}

/** One row per run, from run_queued / run_started / run_finished / run_canceled. */
export interface RunsTable {
  run_id: string;
  status: RunStatus;
  /** Id of the event that created the row: orders runs by submission. */
  created_event_id: number;
  backfill_id: string | null;
  idempotency_key: string | null;
  priority: number;
  /** JSON: `Record<string, string>`. */
  tags: string;
  /** JSON: the requested selection. */
  selection: string | null;
  /** JSON: `string[]`. */
  partition_keys: string | null;
  /** JSON: `{ start, end }`. */
  partition_range: string | null;
  /** JSON: `string[]`, from run_started. */
  step_keys: string | null;
  /** JSON: core's `RunCounts`, from run_finished. */
  counts: string | null;
  queued_at: string | null;
  started_at: string | null;
  ended_at: string | null;
  duration_ms: number | null;
}

/** One row per step of a run. */
export interface StepsTable {
  run_id: string;
  step_key: string;
  status: StepStatus;
  /** JSON: `string[]`. */
  asset_keys: string;
  partition_key: string | null;
  attempts: number;
  materializations: number;
  started_at: string;
  ended_at: string | null;
  /** JSON: the StoredError of the failure. */
  error: string | null;
}

/** The latest state of each asset partition (`partition_key` is '' for unpartitioned assets). */
export interface AssetPartitionsTable {
  asset_key: string;
  partition_key: string;
  partition_index: number | null;
  status: PartitionRowStatus;
  /** The status to return to if the in-progress step ends without an outcome. */
  prev_status: PartitionRowStatus | null;
  last_materialization_event_id: number | null;
  last_observation_event_id: number | null;
  data_version: string | null;
  code_version: string | null;
  run_id: string | null;
  updated_at: string;
}

/** Maximal runs `[start_index, end_index)` of partitions sharing a non-missing status. */
export interface PartitionRangesTable {
  asset_key: string;
  start_index: number;
  end_index: number;
  status: PartitionStatus;
}

/** Number of partitions of each asset in each status (the sum of its ranges' lengths). */
export interface AssetStatusCountsTable {
  asset_key: string;
  status: PartitionStatus;
  count: number;
}

/** The latest result of each check on each partition ('' for unpartitioned). */
export interface CheckResultsTable {
  check_id: string;
  partition_key: string;
  asset_key: string;
  check_name: string;
  event_id: number;
  run_id: string | null;
  passed: number;
  severity: string;
  blocking: number;
  timestamp: string;
}

/** The keys of dynamic partitions definitions, in insertion order (`position`). */
export interface DynamicPartitionsTable {
  name: string;
  key: string;
  position: number;
}

/** The status of one asset partition in a backfill's ledger. */
export type BackfillPartitionStatus =
  | 'requested'
  | 'in_progress'
  | 'materialized'
  | 'failed'
  | 'canceled';

/** One row per backfill (from backfill_requested / backfill_canceled / backfill_resumed). */
export interface BackfillsTable {
  backfill_id: string;
  created_event_id: number;
  created_at: string;
  /** JSON: the `backfill_requested` event without its chunks (selection, partitions, options). */
  request: string;
  /** Number of chunks (runs of the first pass). */
  chunks: number;
  /** 1 once canceled, 0 again when resumed. */
  canceled: number;
  /** 1 + the number of resume / retry-failed passes. */
  passes: number;
  updated_at: string;
}

/** The backfill ledger: one row per asset partition of a backfill. */
export interface BackfillPartitionsTable {
  backfill_id: string;
  asset_key: string;
  partition_key: string;
  /** The chunk (group of partitions submitted as one run) the row belongs to. */
  chunk: number;
  /** The row's order in the request. */
  position: number;
  status: BackfillPartitionStatus;
  /** The run that owns (or last owned) the row. */
  run_id: string | null;
  /** Submissions of the row's chunk so far (the idempotency key includes it). */
  attempts: number;
  updated_at: string;
}

/** Facts about the database itself (who created it, when). */
export interface MetaTable {
  key: string;
  value: string;
}

/** Every table, for `Kysely<CairnDatabase>`. */
export interface CairnDatabase {
  event_log: EventLogTable;
  runs: RunsTable;
  steps: StepsTable;
  asset_partitions: AssetPartitionsTable;
  partition_ranges: PartitionRangesTable;
  asset_status_counts: AssetStatusCountsTable;
  check_results: CheckResultsTable;
  dynamic_partitions: DynamicPartitionsTable;
  backfills: BackfillsTable;
  backfill_partitions: BackfillPartitionsTable;
  meta: MetaTable;
}

/** The derived tables, truncated and refilled by `rebuildIndexes()`. */
export const DERIVED_TABLES = [
  'runs',
  'steps',
  'asset_partitions',
  'partition_ranges',
  'asset_status_counts',
  'check_results',
  'dynamic_partitions',
  'backfills',
  'backfill_partitions',
] as const;
