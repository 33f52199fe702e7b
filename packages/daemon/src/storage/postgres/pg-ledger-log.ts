import type { BackfillLedgerStore } from '../backfill-ledger.js';
import type { BackfillPartitionStatus } from '../schema.js';
import { lit, multiInsert, type SqlValue } from './pg-literal.js';

/**
 * The tables the updater only writes (the backfill ledger, dynamic partitions) need no
 * in-memory copy: their statements are recorded in order, rendered with literals, and run in
 * the batch's transaction after the event inserts. Consecutive ledger row inserts (a backfill of
 * 100,000 partitions makes 100,000) are coalesced into multi-row inserts of 1,000 rows.
 */

const ROWS_PER_INSERT = 1000;
const ROW_COLUMNS = [
  'backfill_id',
  'asset_key',
  'partition_key',
  'chunk',
  'position',
  'status',
  'attempts',
  'updated_at',
];

/** An ordered list of rendered statements. */
export class PgStatementLog {
  readonly #statements: string[] = [];
  #rows: SqlValue[][] = [];

  /** Appends a statement. */
  push(statement: string): void {
    this.#flushRows();
    this.#statements.push(statement);
  }

  /** Queues one `backfill_partitions` row for a coalesced insert. */
  pushLedgerRow(row: SqlValue[]): void {
    this.#rows.push(row);
    if (this.#rows.length >= ROWS_PER_INSERT) this.#flushRows();
  }

  /** Appends a dynamic partition key unless present, at the next position. */
  addDynamicKey(name: string, key: string): void {
    this.push(`insert into dynamic_partitions (name, key, position)
      values (${lit(name)}, ${lit(key)}, (select coalesce(max(position), -1) + 1
        from dynamic_partitions where name = ${lit(name)})) on conflict (name, key) do nothing`);
  }

  /** Removes a dynamic partition key. */
  removeDynamicKey(name: string, key: string): void {
    this.push(`delete from dynamic_partitions where name = ${lit(name)} and key = ${lit(key)}`);
  }

  /** Every statement, in order. */
  statements(): string[] {
    this.#flushRows();
    return this.#statements;
  }

  #flushRows(): void {
    if (this.#rows.length === 0) return;
    this.#statements.push(multiInsert('backfill_partitions', ROW_COLUMNS, this.#rows));
    this.#rows = [];
  }
}

/** `BackfillLedgerStore` recording statements; `backfillOfRun` reads the in-memory runs. */
export class PgLedgerLog implements BackfillLedgerStore {
  readonly #log: PgStatementLog;
  readonly #backfillOfRun: (runId: string) => string | null;

  constructor(log: PgStatementLog, backfillOfRun: (runId: string) => string | null) {
    this.#log = log;
    this.#backfillOfRun = backfillOfRun;
  }

  insertBackfill(
    backfillId: string,
    eventId: number,
    at: string,
    request: string,
    chunks: number,
  ): void {
    this.#log.push(
      multiInsert(
        'backfills',
        [
          'backfill_id',
          'created_event_id',
          'created_at',
          'request',
          'chunks',
          'canceled',
          'passes',
          'updated_at',
        ],
        [[backfillId, eventId, at, request, chunks, 0, 1, at]],
      ),
    );
  }

  insertRow(
    backfillId: string,
    assetKey: string,
    partitionKey: string,
    chunk: number,
    position: number,
    at: string,
  ): void {
    this.#log.pushLedgerRow([
      backfillId,
      assetKey,
      partitionKey,
      chunk,
      position,
      'requested',
      0,
      at,
    ]);
  }

  setCanceled(backfillId: string, canceled: boolean, at: string): void {
    this.#log.push(`update backfills set canceled = ${canceled ? 1 : 0},
      passes = passes + ${canceled ? 0 : 1}, updated_at = ${lit(at)}
      where backfill_id = ${lit(backfillId)}`);
  }

  moveRows(
    backfillId: string,
    from: BackfillPartitionStatus,
    to: BackfillPartitionStatus,
    at: string,
  ): void {
    this.#log.push(`update backfill_partitions set status = ${lit(to)}, updated_at = ${lit(at)}
      where backfill_id = ${lit(backfillId)} and status = ${lit(from)}`);
  }

  assignChunk(backfillId: string, chunk: number, runId: string, attempt: number, at: string): void {
    this.#log.push(`update backfill_partitions set status = 'in_progress', run_id = ${lit(runId)},
      attempts = ${lit(attempt)}, updated_at = ${lit(at)}
      where backfill_id = ${lit(backfillId)} and chunk = ${lit(chunk)} and status = 'requested'`);
  }

  adoptFailedRows(parentRunId: string, runId: string, at: string): void {
    this.#log.push(`update backfill_partitions set status = 'in_progress', run_id = ${lit(runId)},
      updated_at = ${lit(at)} where run_id = ${lit(parentRunId)} and status in ('failed', 'requested')`);
  }

  backfillOfRun(runId: string): string | null {
    return this.#backfillOfRun(runId);
  }

  markMaterialized(
    backfillId: string,
    assetKey: string,
    partitionKey: string,
    runId: string,
    at: string,
  ): void {
    this.#log.push(`update backfill_partitions set status = 'materialized', run_id = ${lit(runId)},
      updated_at = ${lit(at)} where backfill_id = ${lit(backfillId)} and asset_key = ${lit(assetKey)}
      and partition_key = ${lit(partitionKey)} and status <> 'materialized'`);
  }

  endRunRow(
    runId: string,
    assetKey: string,
    partitionKey: string,
    status: BackfillPartitionStatus,
    at: string,
  ): void {
    this.#log.push(`update backfill_partitions set status = ${lit(status)}, updated_at = ${lit(at)}
      where run_id = ${lit(runId)} and asset_key = ${lit(assetKey)}
      and partition_key = ${lit(partitionKey)} and status = 'in_progress'`);
  }

  endRun(runId: string, status: BackfillPartitionStatus, at: string): void {
    this.#log.push(`update backfill_partitions set status = ${lit(status)}, updated_at = ${lit(at)}
      where run_id = ${lit(runId)} and status = 'in_progress'`);
  }

  reopenRun(runId: string, at: string): void {
    this.#log.push(`update backfill_partitions set status = case when (select b.canceled
      from backfills b where b.backfill_id = backfill_partitions.backfill_id) = 1
      then 'canceled' else 'requested' end, updated_at = ${lit(at)}
      where run_id = ${lit(runId)} and status = 'in_progress'`);
  }
}
