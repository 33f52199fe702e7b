import type {
  CheckResultRow,
  IndexStore,
  InProgressPartition,
  PartitionRowState,
  QueuedRunRow,
} from '../index-store.js';
import type { PartitionRange } from '../partition-ranges.js';
import type { PartitionStatus, RunStatus, StepStatus } from '../schema.js';
import {
  IndexMiss,
  type PartitionRow,
  type PgIndexSnapshot,
  partKey,
  type RunRow,
  type StepRow,
} from './pg-index-snapshot.js';
import { PgLedgerLog, PgStatementLog } from './pg-ledger-log.js';
import { PgRangeOverlay, type RangeWork } from './pg-range-overlay.js';
import { PgStepOverlay } from './pg-step-overlay.js';

/**
 * The Postgres `IndexStore`: the updater's synchronous primitives applied to in-memory rows (the
 * snapshot read in the batch's transaction, plus this batch's changes), with the same semantics
 * as the SQLite statements in sqlite-index-store.ts. The changes are then written back in a few
 * multi-row statements (pg-index-flush.ts) inside the same transaction. A read the snapshot
 * cannot answer throws `IndexMiss`; nothing is written until the whole batch applied cleanly.
 */

/** The error a duplicate run id raises, shaped like Postgres' unique violation. */
export class PgConstraintError extends Error {
  readonly code = '23505';
}

/** An in-memory `IndexStore` over a `PgIndexSnapshot`, recording the batch's changes. */
export class PgIndexStore implements IndexStore {
  readonly backfills: PgLedgerLog;
  /** Statements of the tables only written, never read back (ledger, dynamic partitions). */
  readonly log = new PgStatementLog();
  readonly parts = new Map<string, PartitionRow | null>();
  readonly wiped = new Set<string>();
  readonly runs = new Map<string, RunRow>();
  readonly #steps: PgStepOverlay;
  readonly #ranges: PgRangeOverlay;
  readonly counts = new Map<string, Map<PartitionStatus, number>>();
  readonly checks = new Map<string, CheckResultRow>();
  readonly #byRun = new Map<string, Set<string>>();
  readonly #base: PgIndexSnapshot;

  constructor(base: PgIndexSnapshot) {
    this.#base = base;
    this.#ranges = new PgRangeOverlay(base);
    this.#steps = new PgStepOverlay(base);
    this.backfills = new PgLedgerLog(this.log, (runId) => this.#run(runId)?.backfill_id ?? null);
  }

  // --- runs -------------------------------------------------------------------------------

  #run(runId: string): RunRow | null {
    const w = this.runs.get(runId);
    if (w !== undefined) return w;
    const b = this.#base.runs.get(runId);
    if (b === undefined) throw new IndexMiss({ kind: 'run', runId });
    return b;
  }

  #newRun(runId: string, status: RunStatus, eventId: number): RunRow {
    return {
      run_id: runId,
      status,
      created_event_id: eventId,
      backfill_id: null,
      idempotency_key: null,
      priority: 0,
      tags: '{}',
      selection: null,
      partition_keys: null,
      partition_range: null,
      step_keys: null,
      counts: null,
      queued_at: null,
      started_at: null,
      ended_at: null,
      duration_ms: null,
    };
  }

  insertQueuedRun(r: QueuedRunRow): void {
    if (this.#run(r.runId) !== null) {
      throw new PgConstraintError(
        `duplicate key value violates unique constraint "runs_pkey": run ${r.runId} already exists`,
      );
    }
    this.runs.set(r.runId, {
      ...this.#newRun(r.runId, 'queued', r.eventId),
      backfill_id: r.backfillId,
      idempotency_key: r.idempotencyKey,
      priority: r.priority,
      tags: r.tags,
      selection: r.selection,
      partition_keys: r.partitionKeys,
      partition_range: r.partitionRange,
      queued_at: r.queuedAt,
    });
  }

  startRun(runId: string, stepKeys: string, startedAt: string, eventId: number): void {
    const row = this.#run(runId);
    const base = row ?? this.#newRun(runId, 'started', eventId);
    const status =
      row === null || ['queued', 'started'].includes(row.status) ? 'started' : base.status;
    this.runs.set(runId, { ...base, status, step_keys: stepKeys, started_at: startedAt });
  }

  finishRun(
    runId: string,
    status: RunStatus,
    endedAt: string,
    counts: string | null,
    durationMs: number | null,
    eventId: number,
  ): void {
    const base = this.#run(runId) ?? this.#newRun(runId, status, eventId);
    this.runs.set(runId, {
      ...base,
      status,
      counts,
      duration_ms: durationMs,
      ended_at: endedAt,
    });
  }

  cancelRun(runId: string, endedAt: string, eventId: number): void {
    const row = this.#run(runId);
    if (row === null) {
      this.runs.set(runId, { ...this.#newRun(runId, 'canceled', eventId), ended_at: endedAt });
    } else if (row.status === 'queued' || row.status === 'started') {
      this.runs.set(runId, { ...row, status: 'canceled', ended_at: endedAt });
    }
  }

  // --- steps ------------------------------------------------------------------------------

  /** The changed steps per run (for the flush). */
  get steps(): ReadonlyMap<string, ReadonlyMap<string, StepRow>> {
    return this.#steps.rows;
  }

  startStep(
    runId: string,
    stepKey: string,
    assetKeys: string,
    partitionKey: string | null,
    at: string,
  ): void {
    this.#steps.startStep(runId, stepKey, assetKeys, partitionKey, at);
  }

  retryStep(runId: string, stepKey: string, attempt: number): void {
    this.#steps.retryStep(runId, stepKey, attempt);
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
    this.#steps.endStep(runId, stepKey, status, assetKeys, partitionKey, at, error, attempts);
  }

  countStepMaterialization(runId: string, stepKey: string, at: string): void {
    this.#steps.countStepMaterialization(runId, stepKey, at);
  }

  closeOpenSteps(runId: string, at: string, runStatus: RunStatus): void {
    this.#steps.closeOpenSteps(runId, at, runStatus);
  }

  // --- asset partitions -------------------------------------------------------------------

  #part(assetKey: string, partitionKey: string): PartitionRow | null {
    const key = partKey(assetKey, partitionKey);
    const w = this.parts.get(key);
    if (w !== undefined) return w;
    if (this.wiped.has(assetKey)) return null;
    const b = this.#base.parts.get(key);
    if (b === undefined) throw new IndexMiss({ kind: 'partition', assetKey, partitionKey });
    return b;
  }

  #setPart(assetKey: string, partitionKey: string, row: PartitionRow | null): void {
    const key = partKey(assetKey, partitionKey);
    this.parts.set(key, row);
    if (row?.run_id != null) {
      let keys = this.#byRun.get(row.run_id);
      if (keys === undefined) {
        keys = new Set();
        this.#byRun.set(row.run_id, keys);
      }
      keys.add(key);
    }
  }

  #newPart(assetKey: string, partitionKey: string, index: number | null, at: string): PartitionRow {
    return {
      asset_key: assetKey,
      partition_key: partitionKey,
      partition_index: index,
      status: 'missing',
      prev_status: null,
      last_materialization_event_id: null,
      last_observation_event_id: null,
      data_version: null,
      code_version: null,
      run_id: null,
      updated_at: at,
    };
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
    const row =
      this.#part(assetKey, partitionKey) ?? this.#newPart(assetKey, partitionKey, null, at);
    const index = row.partition_index ?? partitionIndex;
    this.#setPart(assetKey, partitionKey, {
      ...row,
      partition_index: index,
      status: 'materialized',
      prev_status: null,
      last_materialization_event_id: eventId,
      data_version: dataVersion,
      code_version: codeVersion,
      run_id: runId,
      updated_at: at,
    });
    return index;
  }

  markInProgress(
    assetKey: string,
    partitionKey: string,
    partitionIndex: number | null,
    runId: string,
    at: string,
  ): number | null {
    const row = this.#part(assetKey, partitionKey);
    const index = row?.partition_index ?? partitionIndex;
    const prev =
      row === null ? 'missing' : row.status === 'in_progress' ? row.prev_status : row.status;
    this.#setPart(assetKey, partitionKey, {
      ...(row ?? this.#newPart(assetKey, partitionKey, null, at)),
      partition_index: index,
      prev_status: prev,
      status: 'in_progress',
      run_id: runId,
      updated_at: at,
    });
    return index;
  }

  markFailed(
    assetKey: string,
    partitionKey: string,
    partitionIndex: number | null,
    runId: string,
    at: string,
  ): number | null {
    const row =
      this.#part(assetKey, partitionKey) ?? this.#newPart(assetKey, partitionKey, null, at);
    const index = row.partition_index ?? partitionIndex;
    this.#setPart(assetKey, partitionKey, {
      ...row,
      partition_index: index,
      status: 'failed',
      prev_status: null,
      run_id: runId,
      updated_at: at,
    });
    return index;
  }

  markObserved(
    assetKey: string,
    partitionKey: string,
    partitionIndex: number | null,
    eventId: number,
    dataVersion: string | null,
    at: string,
  ): void {
    const row =
      this.#part(assetKey, partitionKey) ??
      this.#newPart(assetKey, partitionKey, partitionIndex, at);
    this.#setPart(assetKey, partitionKey, {
      ...row,
      last_observation_event_id: eventId,
      data_version: dataVersion,
      updated_at: at,
    });
  }

  getPartition(assetKey: string, partitionKey: string): PartitionRowState | undefined {
    const row = this.#part(assetKey, partitionKey);
    if (row === null) return undefined;
    return {
      partitionIndex: row.partition_index,
      status: row.status,
      prevStatus: row.prev_status,
      runId: row.run_id,
    };
  }

  revertPartition(assetKey: string, partitionKey: string, at: string): void {
    const row = this.#part(assetKey, partitionKey);
    if (row === null) return;
    this.#setPart(assetKey, partitionKey, {
      ...row,
      status: row.prev_status ?? 'missing',
      prev_status: null,
      updated_at: at,
    });
  }

  inProgressOfRun(runId: string): InProgressPartition[] {
    if (!this.#base.inProgressRuns.has(runId)) throw new IndexMiss({ kind: 'inProgress', runId });
    const keys = new Set([
      ...(this.#base.inProgressKeys.get(runId) ?? []),
      ...(this.#byRun.get(runId) ?? []),
    ]);
    const out: InProgressPartition[] = [];
    for (const key of keys) {
      const [assetKey, partitionKey] = key.split('\u0000') as [string, string];
      const row = this.#part(assetKey, partitionKey);
      if (row === null || row.status !== 'in_progress' || row.run_id !== runId) continue;
      out.push({
        assetKey,
        partitionKey,
        partitionIndex: row.partition_index,
        prevStatus: row.prev_status,
      });
    }
    // The SQLite query's order (byte order of the keys; Postgres databases use the C collation).
    return out.sort((a, b) =>
      a.assetKey === b.assetKey
        ? compare(a.partitionKey, b.partitionKey)
        : compare(a.assetKey, b.assetKey),
    );
  }

  deletePartition(assetKey: string, partitionKey: string): void {
    this.#setPart(assetKey, partitionKey, null);
  }

  deleteAsset(assetKey: string): void {
    this.wiped.add(assetKey);
    for (const key of [...this.parts.keys()]) {
      if (key.startsWith(`${assetKey}\u0000`)) this.parts.delete(key);
    }
    this.#ranges.wipe(assetKey);
    this.counts.delete(assetKey);
  }

  // --- partition ranges and counts --------------------------------------------------------

  floorRange(assetKey: string, index: number): PartitionRange | undefined {
    return this.#ranges.floor(assetKey, index);
  }

  rangeStartingAt(assetKey: string, index: number): PartitionRange | undefined {
    return this.#ranges.startingAt(assetKey, index);
  }

  upsertRange(assetKey: string, range: PartitionRange): void {
    this.#ranges.upsert(assetKey, range);
  }

  deleteRange(assetKey: string, startIndex: number): void {
    this.#ranges.delete(assetKey, startIndex);
  }

  /** The changed ranges per asset (for the flush). */
  get ranges(): ReadonlyMap<string, RangeWork> {
    return this.#ranges.works;
  }

  addCount(assetKey: string, status: PartitionStatus, delta: number): void {
    let m = this.counts.get(assetKey);
    if (m === undefined) {
      m = new Map();
      this.counts.set(assetKey, m);
    }
    m.set(status, (m.get(status) ?? 0) + delta);
  }

  // --- checks and dynamic partitions ------------------------------------------------------

  upsertCheckResult(row: CheckResultRow): void {
    this.checks.set(partKey(row.checkId, row.partitionKey), row);
  }

  addDynamicKey(name: string, key: string): void {
    this.log.addDynamicKey(name, key);
  }

  removeDynamicKey(name: string, key: string): void {
    this.log.removeDynamicKey(name, key);
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
