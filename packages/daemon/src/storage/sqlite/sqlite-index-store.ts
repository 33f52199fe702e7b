import type Database from 'better-sqlite3';
import type {
  CheckResultRow,
  IndexStore,
  InProgressPartition,
  PartitionRowState,
  QueuedRunRow,
} from '../index-store.js';
import type { PartitionRange } from '../partition-ranges.js';
import type { PartitionStatus, RunStatus, StepStatus } from '../schema.js';
import { SqliteBackfillStore } from './sqlite-backfill-store.js';

/**
 * The SQLite implementation of the index primitives: every statement is prepared once, when the
 * storage opens, and run synchronously inside the append transaction.
 */

type Stmt = Database.Statement<unknown[], unknown>;

// The first known index of a partition sticks: an index that changed with its definition is
// applied by rebuildPartitionRanges, never half-way by one event (which would strand a range).
const PARTITION_INDEX = 'partition_index = coalesce(partition_index, excluded.partition_index)';

const SQL = {
  insertQueuedRun: `insert into runs (run_id, status, created_event_id, backfill_id, idempotency_key,
      priority, tags, selection, partition_keys, partition_range, queued_at)
    values (?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  startRun: `insert into runs (run_id, status, created_event_id, step_keys, started_at)
    values (?, 'started', ?, ?, ?)
    on conflict (run_id) do update set status = case when status in ('queued', 'started')
      then 'started' else status end, step_keys = excluded.step_keys, started_at = excluded.started_at`,
  finishRun: `insert into runs (run_id, status, created_event_id, counts, duration_ms, ended_at)
    values (?, ?, ?, ?, ?, ?)
    on conflict (run_id) do update set status = excluded.status, counts = excluded.counts,
      duration_ms = excluded.duration_ms, ended_at = excluded.ended_at`,
  cancelRun: `insert into runs (run_id, status, created_event_id, ended_at) values (?, 'canceled', ?, ?)
    on conflict (run_id) do update set status = 'canceled', ended_at = excluded.ended_at
    where status in ('queued', 'started')`,
  startStep: `insert into steps (run_id, step_key, status, asset_keys, partition_key, attempts, started_at)
    values (?, ?, 'in_progress', ?, ?, 1, ?)
    on conflict (run_id, step_key) do update set status = 'in_progress', attempts = 1,
      materializations = 0, started_at = excluded.started_at, ended_at = null, error = null`,
  retryStep: 'update steps set attempts = ? where run_id = ? and step_key = ?',
  endStep: `insert into steps (run_id, step_key, status, asset_keys, partition_key, attempts,
      started_at, ended_at, error)
    values (?, ?, ?, ?, ?, coalesce(?, 0), ?, ?, ?)
    on conflict (run_id, step_key) do update set status = excluded.status,
      ended_at = excluded.ended_at, error = excluded.error,
      attempts = coalesce(?, attempts)`,
  countStepMaterialization: `update steps set materializations = materializations + 1, ended_at = ?
    where run_id = ? and step_key = ?`,
  closeOpenSteps: `update steps set status = case when materializations > 0 or ? = 'success'
      then 'succeeded' else 'canceled' end, ended_at = coalesce(ended_at, ?)
    where run_id = ? and status = 'in_progress'`,
  markMaterialized: `insert into asset_partitions (asset_key, partition_key, partition_index, status,
      last_materialization_event_id, data_version, code_version, run_id, updated_at)
    values (?, ?, ?, 'materialized', ?, ?, ?, ?, ?)
    on conflict (asset_key, partition_key) do update set ${PARTITION_INDEX},
      status = 'materialized', prev_status = null,
      last_materialization_event_id = excluded.last_materialization_event_id,
      data_version = excluded.data_version, code_version = excluded.code_version,
      run_id = excluded.run_id, updated_at = excluded.updated_at
    returning partition_index`,
  markInProgress: `insert into asset_partitions (asset_key, partition_key, partition_index, status,
      prev_status, run_id, updated_at)
    values (?, ?, ?, 'in_progress', 'missing', ?, ?)
    on conflict (asset_key, partition_key) do update set ${PARTITION_INDEX},
      prev_status = case when status = 'in_progress' then prev_status else status end,
      status = 'in_progress', run_id = excluded.run_id, updated_at = excluded.updated_at
    returning partition_index`,
  markFailed: `insert into asset_partitions (asset_key, partition_key, partition_index, status,
      run_id, updated_at)
    values (?, ?, ?, 'failed', ?, ?)
    on conflict (asset_key, partition_key) do update set ${PARTITION_INDEX},
      status = 'failed', prev_status = null, run_id = excluded.run_id,
      updated_at = excluded.updated_at
    returning partition_index`,
  markObserved: `insert into asset_partitions (asset_key, partition_key, partition_index, status,
      last_observation_event_id, data_version, updated_at)
    values (?, ?, ?, 'missing', ?, ?, ?)
    on conflict (asset_key, partition_key) do update set
      last_observation_event_id = excluded.last_observation_event_id,
      data_version = excluded.data_version, updated_at = excluded.updated_at`,
  getPartition: `select partition_index as partitionIndex, status, prev_status as prevStatus,
      run_id as runId from asset_partitions where asset_key = ? and partition_key = ?`,
  revertPartition: `update asset_partitions set status = coalesce(prev_status, 'missing'),
      prev_status = null, updated_at = ? where asset_key = ? and partition_key = ?`,
  inProgressOfRun: `select asset_key as assetKey, partition_key as partitionKey,
      partition_index as partitionIndex, prev_status as prevStatus
    from asset_partitions where run_id = ? and status = 'in_progress'
    order by asset_key, partition_key`,
  deletePartition: 'delete from asset_partitions where asset_key = ? and partition_key = ?',
  deleteAssetPartitions: 'delete from asset_partitions where asset_key = ?',
  deleteAssetRanges: 'delete from partition_ranges where asset_key = ?',
  deleteAssetCounts: 'delete from asset_status_counts where asset_key = ?',
  floorRange: `select start_index as startIndex, end_index as endIndex, status from partition_ranges
    where asset_key = ? and start_index <= ? order by start_index desc limit 1`,
  rangeStartingAt: `select start_index as startIndex, end_index as endIndex, status
    from partition_ranges where asset_key = ? and start_index = ?`,
  upsertRange: `insert into partition_ranges (asset_key, start_index, end_index, status)
    values (?, ?, ?, ?) on conflict (asset_key, start_index)
    do update set end_index = excluded.end_index, status = excluded.status`,
  deleteRange: 'delete from partition_ranges where asset_key = ? and start_index = ?',
  addCount: `insert into asset_status_counts (asset_key, status, count) values (?, ?, ?)
    on conflict (asset_key, status) do update set count = count + excluded.count`,
  upsertCheckResult: `insert into check_results (check_id, partition_key, asset_key, check_name,
      event_id, run_id, passed, severity, blocking, timestamp)
    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    on conflict (check_id, partition_key) do update set asset_key = excluded.asset_key,
      check_name = excluded.check_name, event_id = excluded.event_id, run_id = excluded.run_id,
      passed = excluded.passed, severity = excluded.severity, blocking = excluded.blocking,
      timestamp = excluded.timestamp`,
  addDynamicKey: `insert into dynamic_partitions (name, key, position)
    values (?, ?, (select coalesce(max(position), -1) + 1 from dynamic_partitions where name = ?))
    on conflict (name, key) do nothing`,
  removeDynamicKey: 'delete from dynamic_partitions where name = ? and key = ?',
} as const;

/** The SQL of each hot-path statement (the benchmark's raw baseline reuses the write statements). */
export const SQLITE_INDEX_SQL = SQL;

/** `IndexStore` on one better-sqlite3 connection, with every statement prepared once. */
export class SqliteIndexStore implements IndexStore {
  readonly #s: Record<keyof typeof SQL, Stmt>;
  readonly backfills: SqliteBackfillStore;

  constructor(db: Database.Database) {
    this.backfills = new SqliteBackfillStore(db);
    const prepared = {} as Record<keyof typeof SQL, Stmt>;
    for (const [name, sql] of Object.entries(SQL)) {
      prepared[name as keyof typeof SQL] = db.prepare(sql);
    }
    this.#s = prepared;
  }

  insertQueuedRun(r: QueuedRunRow): void {
    this.#s.insertQueuedRun.run(
      r.runId,
      r.eventId,
      r.backfillId,
      r.idempotencyKey,
      r.priority,
      r.tags,
      r.selection,
      r.partitionKeys,
      r.partitionRange,
      r.queuedAt,
    );
  }

  startRun(runId: string, stepKeys: string, startedAt: string, eventId: number): void {
    this.#s.startRun.run(runId, eventId, stepKeys, startedAt);
  }

  finishRun(
    runId: string,
    status: RunStatus,
    endedAt: string,
    counts: string | null,
    durationMs: number | null,
    eventId: number,
  ): void {
    this.#s.finishRun.run(runId, status, eventId, counts, durationMs, endedAt);
  }

  cancelRun(runId: string, endedAt: string, eventId: number): void {
    this.#s.cancelRun.run(runId, eventId, endedAt);
  }

  startStep(
    runId: string,
    stepKey: string,
    assetKeys: string,
    partitionKey: string | null,
    at: string,
  ): void {
    this.#s.startStep.run(runId, stepKey, assetKeys, partitionKey, at);
  }

  retryStep(runId: string, stepKey: string, attempt: number): void {
    this.#s.retryStep.run(attempt, runId, stepKey);
  }

  endStep(
    runId: string,
    stepKey: string,
    status: StepStatus,
    assetKeys: string,
    partitionKey: string | null,
    at: string,
    error: string | null,
    attempts: number | null,
  ): void {
    this.#s.endStep.run(
      runId,
      stepKey,
      status,
      assetKeys,
      partitionKey,
      attempts,
      at,
      at,
      error,
      attempts,
    );
  }

  countStepMaterialization(runId: string, stepKey: string, at: string): void {
    this.#s.countStepMaterialization.run(at, runId, stepKey);
  }

  closeOpenSteps(runId: string, at: string, runStatus: RunStatus): void {
    this.#s.closeOpenSteps.run(runStatus, at, runId);
  }

  markMaterialized(
    assetKey: string,
    partitionKey: string,
    partitionIndex: number | null,
    eventId: number,
    dataVersion: string | null,
    codeVersion: string | null,
    runId: string | null,
    at: string,
  ): number | null {
    const row = this.#s.markMaterialized.get(
      assetKey,
      partitionKey,
      partitionIndex,
      eventId,
      dataVersion,
      codeVersion,
      runId,
      at,
    ) as { partition_index: number | null };
    return row.partition_index;
  }

  markInProgress(
    assetKey: string,
    partitionKey: string,
    partitionIndex: number | null,
    runId: string,
    at: string,
  ): number | null {
    const row = this.#s.markInProgress.get(assetKey, partitionKey, partitionIndex, runId, at) as {
      partition_index: number | null;
    };
    return row.partition_index;
  }

  markFailed(
    assetKey: string,
    partitionKey: string,
    partitionIndex: number | null,
    runId: string,
    at: string,
  ): number | null {
    const row = this.#s.markFailed.get(assetKey, partitionKey, partitionIndex, runId, at) as {
      partition_index: number | null;
    };
    return row.partition_index;
  }

  markObserved(
    assetKey: string,
    partitionKey: string,
    partitionIndex: number | null,
    eventId: number,
    dataVersion: string | null,
    at: string,
  ): void {
    this.#s.markObserved.run(assetKey, partitionKey, partitionIndex, eventId, dataVersion, at);
  }

  getPartition(assetKey: string, partitionKey: string): PartitionRowState | undefined {
    return this.#s.getPartition.get(assetKey, partitionKey) as PartitionRowState | undefined;
  }

  revertPartition(assetKey: string, partitionKey: string, at: string): void {
    this.#s.revertPartition.run(at, assetKey, partitionKey);
  }

  inProgressOfRun(runId: string): InProgressPartition[] {
    return this.#s.inProgressOfRun.all(runId) as InProgressPartition[];
  }

  deletePartition(assetKey: string, partitionKey: string): void {
    this.#s.deletePartition.run(assetKey, partitionKey);
  }

  deleteAsset(assetKey: string): void {
    this.#s.deleteAssetPartitions.run(assetKey);
    this.#s.deleteAssetRanges.run(assetKey);
    this.#s.deleteAssetCounts.run(assetKey);
  }

  floorRange(assetKey: string, index: number): PartitionRange | undefined {
    return this.#s.floorRange.get(assetKey, index) as PartitionRange | undefined;
  }

  rangeStartingAt(assetKey: string, index: number): PartitionRange | undefined {
    return this.#s.rangeStartingAt.get(assetKey, index) as PartitionRange | undefined;
  }

  upsertRange(assetKey: string, range: PartitionRange): void {
    this.#s.upsertRange.run(assetKey, range.startIndex, range.endIndex, range.status);
  }

  deleteRange(assetKey: string, startIndex: number): void {
    this.#s.deleteRange.run(assetKey, startIndex);
  }

  addCount(assetKey: string, status: PartitionStatus, delta: number): void {
    this.#s.addCount.run(assetKey, status, delta);
  }

  upsertCheckResult(r: CheckResultRow): void {
    this.#s.upsertCheckResult.run(
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
    );
  }

  addDynamicKey(name: string, key: string): void {
    this.#s.addDynamicKey.run(name, key, name);
  }

  removeDynamicKey(name: string, key: string): void {
    this.#s.removeDynamicKey.run(name, key);
  }
}
