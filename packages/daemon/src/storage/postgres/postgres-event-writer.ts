import type pg from 'pg';
import { DaemonError } from '../../errors.js';
import type { EventWriter, PartitionIndexOf, RebuildResult, WriterStats } from '../event-writer.js';
import { applyEventToIndexes } from '../index-updater.js';
import { compressToRanges } from '../partition-ranges.js';
import { DERIVED_TABLES, type PartitionRowStatus, type PartitionStatus } from '../schema.js';
import type { StoredEvent } from '../stored-event.js';
import { renderChanges } from './pg-index-flush.js';
import { loadForBatch, loadMiss } from './pg-index-load.js';
import { IndexMiss, PgIndexSnapshot } from './pg-index-snapshot.js';
import { PgIndexStore } from './pg-index-store.js';
import { lit, multiInsert, upsertSuffix } from './pg-literal.js';
import { runStatements } from './pg-statements.js';

/**
 * The Postgres writer. One batch = one transaction on a dedicated connection: take the writer
 * lock, insert the events with one `insert ... select from unnest(...) returning id`, read the
 * index rows the batch touches, apply the shared updater (index-updater.ts) to them in memory,
 * write the changes back in multi-row statements, commit. About six round trips per batch
 * whatever its size, instead of several per event.
 *
 * The transaction-scoped advisory lock serializes writers (several daemons on one database):
 * event ids then commit in id order, so a reader paging by `id > last` never skips an event that
 * commits late, and the rows a batch read stay current until it commits.
 */

/** The advisory lock key of the event log writer (an arbitrary constant: "cairn" in ASCII). */
export const WRITER_LOCK_KEY = 0x636169726e;

/** Rows replayed per page during a rebuild (bounded memory whatever the log's size). */
const REPLAY_PAGE = 5000;
/** Rows per event insert (7 arrays, whatever the count: no parameter limit applies). */
const INSERT_CHUNK = 5000;

const INSERT_EVENTS = `insert into event_log
  (type, run_id, asset_key, partition_key, step_key, timestamp, payload)
  select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
  returning id`;

const HINTS: Record<string, string> = {
  '23': 'an event conflicts with stored state (for example a run id queued twice): fix or drop that event',
  '53': 'the server is out of resources (disk full, too many connections): free them and append again; committed events are intact',
  '08': 'the connection to Postgres was lost: check the server, then append again',
  '57': 'the server is shutting down or canceled the statement: wait for it and append again',
  '40': 'a serialization failure or deadlock: append again',
};

interface IndexedFields {
  type: string;
  timestamp: string;
  runId?: string;
  assetKey?: string;
  partitionKey?: string;
  stepKey?: string;
}

/** `EventWriter` on a pg pool (one dedicated connection for writes). */
export class PostgresEventWriter implements EventWriter {
  readonly #pool: pg.Pool;
  readonly #where: string;
  readonly #stats: WriterStats = { transactions: 0, events: 0, failedBatches: 0 };
  #client: pg.PoolClient | undefined;
  // Writes, rebuilds and close run one after another on the one connection.
  #queue: Promise<unknown> = Promise.resolve();

  constructor(pool: pg.Pool, where: string) {
    this.#pool = pool;
    this.#where = where;
  }

  writeBatch(events: readonly StoredEvent[]): Promise<readonly number[]> {
    return this.#serial(async (client) => {
      try {
        const ids = await this.#transaction(client, async () => {
          const ids = await insertEvents(client, events);
          await applyBatch(client, events, ids);
          return ids;
        });
        this.#stats.transactions++;
        this.#stats.events += events.length;
        return ids;
      } catch (err) {
        this.#stats.failedBatches++;
        const code = String((err as { code?: unknown }).code ?? 'UNKNOWN');
        const hint = HINTS[code.slice(0, 2)] ?? 'see the cause for details';
        throw new DaemonError(
          'CAIRN_STORAGE_WRITE_FAILED',
          `Appending ${events.length} event(s) to the event log in ${this.#where} failed with ${code} (${err instanceof Error ? err.message : String(err)}); the whole batch was rolled back and none of its events were stored. What to do: ${hint}.`,
          { where: this.#where, pgCode: code, events: events.length },
          { cause: err },
        );
      }
    });
  }

  rebuildIndexes(): Promise<RebuildResult> {
    return this.#serial(async (client) => {
      const t0 = performance.now();
      let replayed = 0;
      await this.#transaction(client, async () => {
        await client.query(`truncate ${DERIVED_TABLES.join(', ')}`);
        let after = 0;
        for (;;) {
          const { rows } = await client.query<{ id: number; payload: string }>(
            'select id, payload from event_log where id > $1 order by id limit $2',
            [after, REPLAY_PAGE],
          );
          if (rows.length === 0) break;
          const events = rows.map((r) => JSON.parse(r.payload) as StoredEvent);
          await applyBatch(
            client,
            events,
            rows.map((r) => Number(r.id)),
          );
          replayed += rows.length;
          after = Number(rows[rows.length - 1]!.id);
        }
      });
      return { events: replayed, durationMs: performance.now() - t0 };
    });
  }

  rebuildPartitionRanges(
    assetKey: string,
    indexOf: PartitionIndexOf,
  ): Promise<{ partitions: number; ranges: number }> {
    return this.#serial((client) =>
      this.#transaction(client, async () => {
        const { rows } = await client.query<{ partition_key: string; status: PartitionRowStatus }>(
          `select partition_key, status from asset_partitions
           where asset_key = $1 and partition_key <> ''`,
          [assetKey],
        );
        const entries: [number, PartitionStatus][] = [];
        const updates: string[] = [];
        for (const row of rows) {
          let index: number | null = null;
          try {
            const i = indexOf(row.partition_key);
            index = Number.isSafeInteger(i) && i >= 0 ? i : null;
          } catch {
            // A key the definition no longer has: kept in the log, absent from the ranges.
          }
          updates.push(
            `update asset_partitions set partition_index = ${lit(index)} where asset_key = ${lit(assetKey)} and partition_key = ${lit(row.partition_key)}`,
          );
          if (index !== null && row.status !== 'missing') entries.push([index, row.status]);
        }
        entries.sort((a, b) => a[0] - b[0]);
        const ranges = compressToRanges(entries);
        const counts = new Map<PartitionStatus, number>();
        for (const r of ranges)
          counts.set(r.status, (counts.get(r.status) ?? 0) + r.endIndex - r.startIndex);
        const columns = ['asset_key', 'start_index', 'end_index', 'status'];
        await runStatements(client, [
          ...updates,
          `delete from partition_ranges where asset_key = ${lit(assetKey)}`,
          `delete from asset_status_counts where asset_key = ${lit(assetKey)}`,
          ...chunked(ranges.map((r) => [assetKey, r.startIndex, r.endIndex, r.status])).map((c) =>
            multiInsert(
              'partition_ranges',
              columns,
              c,
              upsertSuffix(['asset_key', 'start_index'], columns),
            ),
          ),
          multiInsert(
            'asset_status_counts',
            ['asset_key', 'status', 'count'],
            [...counts].map(([status, n]) => [assetKey, status, n]),
          ),
        ]);
        return { partitions: rows.length, ranges: ranges.length };
      }),
    );
  }

  stats(): WriterStats {
    return { ...this.#stats };
  }

  /** Waits for the running write, then releases the connection. */
  close(): Promise<void> {
    const done = this.#queue.then(
      () => undefined,
      () => undefined,
    );
    this.#queue = done.then(() => {
      this.#client?.release();
      this.#client = undefined;
    });
    return this.#queue as Promise<void>;
  }

  #serial<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const run = this.#queue.then(
      () => this.#run(fn),
      () => this.#run(fn),
    );
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #run<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    if (this.#client === undefined) {
      let client: pg.PoolClient;
      try {
        client = await this.#pool.connect();
      } catch (err) {
        throw new DaemonError(
          'CAIRN_STORAGE_WRITE_FAILED',
          `Cannot connect to the Postgres database ${this.#where} to write: ${err instanceof Error ? err.message : String(err)}; nothing was stored. What to do: check that the server is up and reachable, then append again.`,
          { where: this.#where, pgCode: String((err as { code?: unknown }).code ?? 'UNKNOWN') },
          { cause: err },
        );
      }
      // A checked-out client whose connection breaks emits 'error': without a listener that
      // would crash the daemon; the next query on it fails instead, and the batch reports it.
      client.on('error', () => undefined);
      this.#client = client;
    }
    return fn(this.#client);
  }

  async #transaction<T>(client: pg.PoolClient, fn: () => Promise<T>): Promise<T> {
    await client.query('begin');
    try {
      await client.query('select pg_advisory_xact_lock($1)', [WRITER_LOCK_KEY]);
      const result = await fn();
      await client.query('commit');
      return result;
    } catch (err) {
      try {
        await client.query('rollback');
      } catch {
        // A broken connection: drop it so the next batch opens a fresh one.
        client.release(true);
        this.#client = undefined;
      }
      throw err;
    }
  }
}

function chunked<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += 1000) out.push(items.slice(i, i + 1000));
  return out;
}

/** Inserts events in order and returns their ids in the same order. */
async function insertEvents(
  client: pg.ClientBase,
  events: readonly StoredEvent[],
): Promise<number[]> {
  const ids: number[] = [];
  for (let start = 0; start < events.length; start += INSERT_CHUNK) {
    const slice = events.slice(start, start + INSERT_CHUNK);
    const cols: (string | null)[][] = [[], [], [], [], [], [], []];
    for (const event of slice) {
      const e = event as IndexedFields;
      cols[0]!.push(e.type);
      cols[1]!.push(e.runId ?? null);
      cols[2]!.push(e.assetKey ?? null);
      cols[3]!.push(e.partitionKey ?? null);
      cols[4]!.push(e.stepKey ?? null);
      cols[5]!.push(e.timestamp);
      cols[6]!.push(JSON.stringify(event));
    }
    const { rows } = await client.query<{ id: number }>(INSERT_EVENTS, cols);
    // Identity values are drawn in row order; sorting makes the order explicit.
    const chunk = rows.map((r) => Number(r.id)).sort((a, b) => a - b);
    ids.push(...chunk);
  }
  return ids;
}

/** The most reads one batch may add before giving up (each adds rows it lacked: no loop). */
const MAX_MISSES = 100_000;

/** Applies `events` (already inserted as `ids`) to the indexes, inside the caller's transaction. */
async function applyBatch(
  client: pg.ClientBase,
  events: readonly StoredEvent[],
  ids: readonly number[],
): Promise<void> {
  const snap = new PgIndexSnapshot();
  await loadForBatch(client, snap, events);
  for (let misses = 0; ; misses++) {
    const store = new PgIndexStore(snap);
    try {
      for (let i = 0; i < events.length; i++) applyEventToIndexes(store, events[i]!, ids[i]!);
    } catch (err) {
      if (!(err instanceof IndexMiss) || misses >= MAX_MISSES) throw err;
      await loadMiss(client, snap, err.request);
      continue;
    }
    await runStatements(client, renderChanges(store));
    return;
  }
}
