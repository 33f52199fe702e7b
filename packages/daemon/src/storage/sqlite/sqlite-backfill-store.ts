import type Database from 'better-sqlite3';
import type { BackfillLedgerStore } from '../backfill-ledger.js';
import type { BackfillPartitionStatus } from '../schema.js';

/** The SQLite ledger primitives: statements prepared once, run inside the append transaction. */

type Stmt = Database.Statement<unknown[], unknown>;

const SQL = {
  insertBackfill: `insert into backfills (backfill_id, created_event_id, created_at, request, chunks,
      canceled, passes, updated_at) values (?, ?, ?, ?, ?, 0, 1, ?)`,
  insertRow: `insert into backfill_partitions (backfill_id, asset_key, partition_key, chunk, position,
      status, attempts, updated_at) values (?, ?, ?, ?, ?, 'requested', 0, ?)`,
  setCanceled: `update backfills set canceled = ?, passes = passes + ?, updated_at = ?
    where backfill_id = ?`,
  moveRows: `update backfill_partitions set status = ?, updated_at = ?
    where backfill_id = ? and status = ?`,
  assignChunk: `update backfill_partitions set status = 'in_progress', run_id = ?, attempts = ?,
      updated_at = ? where backfill_id = ? and chunk = ? and status = 'requested'`,
  adoptFailedRows: `update backfill_partitions set status = 'in_progress', run_id = ?, updated_at = ?
    where run_id = ? and status in ('failed', 'requested')`,
  backfillOfRun: 'select backfill_id as backfillId from runs where run_id = ?',
  markMaterialized: `update backfill_partitions set status = 'materialized', run_id = ?, updated_at = ?
    where backfill_id = ? and asset_key = ? and partition_key = ? and status <> 'materialized'`,
  endRunRow: `update backfill_partitions set status = ?, updated_at = ?
    where run_id = ? and asset_key = ? and partition_key = ? and status = 'in_progress'`,
  endRun: `update backfill_partitions set status = ?, updated_at = ?
    where run_id = ? and status = 'in_progress'`,
  reopenRun: `update backfill_partitions set status = case when (select b.canceled from backfills b
      where b.backfill_id = backfill_partitions.backfill_id) = 1 then 'canceled' else 'requested' end,
      updated_at = ? where run_id = ? and status = 'in_progress'`,
} as const;

/** `BackfillLedgerStore` on one better-sqlite3 connection. */
export class SqliteBackfillStore implements BackfillLedgerStore {
  readonly #s: Record<keyof typeof SQL, Stmt>;

  constructor(db: Database.Database) {
    const prepared = {} as Record<keyof typeof SQL, Stmt>;
    for (const [name, sql] of Object.entries(SQL)) {
      prepared[name as keyof typeof SQL] = db.prepare(sql);
    }
    this.#s = prepared;
  }

  insertBackfill(
    backfillId: string,
    eventId: number,
    at: string,
    request: string,
    chunks: number,
  ): void {
    this.#s.insertBackfill.run(backfillId, eventId, at, request, chunks, at);
  }

  insertRow(
    backfillId: string,
    assetKey: string,
    partitionKey: string,
    chunk: number,
    position: number,
    at: string,
  ): void {
    this.#s.insertRow.run(backfillId, assetKey, partitionKey, chunk, position, at);
  }

  setCanceled(backfillId: string, canceled: boolean, at: string): void {
    this.#s.setCanceled.run(canceled ? 1 : 0, canceled ? 0 : 1, at, backfillId);
  }

  moveRows(
    backfillId: string,
    from: BackfillPartitionStatus,
    to: BackfillPartitionStatus,
    at: string,
  ): void {
    this.#s.moveRows.run(to, at, backfillId, from);
  }

  assignChunk(backfillId: string, chunk: number, runId: string, attempt: number, at: string): void {
    this.#s.assignChunk.run(runId, attempt, at, backfillId, chunk);
  }

  adoptFailedRows(parentRunId: string, runId: string, at: string): void {
    this.#s.adoptFailedRows.run(runId, at, parentRunId);
  }

  backfillOfRun(runId: string): string | null {
    const row = this.#s.backfillOfRun.get(runId) as { backfillId: string | null } | undefined;
    return row?.backfillId ?? null;
  }

  markMaterialized(
    backfillId: string,
    assetKey: string,
    partitionKey: string,
    runId: string,
    at: string,
  ): void {
    this.#s.markMaterialized.run(runId, at, backfillId, assetKey, partitionKey);
  }

  endRunRow(
    runId: string,
    assetKey: string,
    partitionKey: string,
    status: BackfillPartitionStatus,
    at: string,
  ): void {
    this.#s.endRunRow.run(status, at, runId, assetKey, partitionKey);
  }

  endRun(runId: string, status: BackfillPartitionStatus, at: string): void {
    this.#s.endRun.run(status, at, runId);
  }

  reopenRun(runId: string, at: string): void {
    this.#s.reopenRun.run(at, runId);
  }
}
