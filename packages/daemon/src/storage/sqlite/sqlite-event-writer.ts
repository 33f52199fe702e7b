import type Database from 'better-sqlite3';
import { DaemonError } from '../../errors.js';
import type { EventWriter, PartitionIndexOf, RebuildResult, WriterStats } from '../event-writer.js';
import { applyEventToIndexes } from '../index-updater.js';
import { compressToRanges } from '../partition-ranges.js';
import { DERIVED_TABLES, type PartitionRowStatus, type PartitionStatus } from '../schema.js';
import type { StoredEvent } from '../stored-event.js';
import { SqliteIndexStore } from './sqlite-index-store.js';

/**
 * The SQLite writer: one better-sqlite3 connection, statements prepared once, one transaction per
 * batch. better-sqlite3 is synchronous, so a batch runs start to commit without yielding: no
 * other write can interleave, and a throw rolls the whole batch back before anyone sees it.
 */

/** The event columns the log indexes, present on some event types only. */
interface IndexedFields {
  type: string;
  timestamp: string;
  runId?: string;
  assetKey?: string;
  partitionKey?: string;
  stepKey?: string;
}

/** SQL of the event insert (the benchmark's raw baseline reuses it). */
export const INSERT_EVENT_SQL = `insert into event_log
  (type, run_id, asset_key, partition_key, step_key, timestamp, payload) values (?, ?, ?, ?, ?, ?, ?)`;

/** Rows replayed per read during a rebuild (bounded memory whatever the log's size). */
const REPLAY_PAGE = 5000;

const HINTS: Record<string, string> = {
  SQLITE_FULL:
    'the disk (or the database size limit) is full: free space and append again; already committed events are intact',
  SQLITE_CONSTRAINT:
    'an event conflicts with stored state (for example a run id queued twice): fix or drop that event',
  SQLITE_BUSY:
    'another process holds the write lock: only one daemon may write to a database at a time',
  SQLITE_READONLY: 'the database file is read-only: fix its permissions',
  SQLITE_IOERR: 'the disk reported an I/O error: check the disk, then run integrityCheck()',
};

function hintFor(code: string): string {
  for (const [prefix, hint] of Object.entries(HINTS)) if (code.startsWith(prefix)) return hint;
  return 'see the cause for details';
}

/** `EventWriter` on a better-sqlite3 connection. */
export class SqliteEventWriter implements EventWriter {
  readonly #db: Database.Database;
  readonly #where: string;
  readonly #store: SqliteIndexStore;
  readonly #write: (events: readonly StoredEvent[]) => number[];
  readonly #stats: WriterStats = { transactions: 0, events: 0, failedBatches: 0 };

  constructor(db: Database.Database, where: string) {
    this.#db = db;
    this.#where = where;
    this.#store = new SqliteIndexStore(db);
    const insert = db.prepare(INSERT_EVENT_SQL);
    const store = this.#store;
    this.#write = db.transaction((events: readonly StoredEvent[]): number[] => {
      const ids = new Array<number>(events.length);
      for (let i = 0; i < events.length; i++) {
        const event = events[i]!;
        const e = event as IndexedFields;
        const id = Number(
          insert.run(
            e.type,
            e.runId ?? null,
            e.assetKey ?? null,
            e.partitionKey ?? null,
            e.stepKey ?? null,
            e.timestamp,
            JSON.stringify(event),
          ).lastInsertRowid,
        );
        ids[i] = id;
        applyEventToIndexes(store, event, id);
      }
      return ids;
    });
  }

  writeBatch(events: readonly StoredEvent[]): readonly number[] {
    let ids: number[];
    try {
      ids = this.#write(events);
    } catch (err) {
      this.#stats.failedBatches++;
      const code = String((err as { code?: unknown }).code ?? 'UNKNOWN');
      throw new DaemonError(
        'CAIRN_STORAGE_WRITE_FAILED',
        `Appending ${events.length} event(s) to the event log in ${this.#where} failed with ${code} (${err instanceof Error ? err.message : String(err)}); the whole batch was rolled back and none of its events were stored. What to do: ${hintFor(code)}.`,
        { where: this.#where, sqliteCode: code, events: events.length },
        { cause: err },
      );
    }
    this.#stats.transactions++;
    this.#stats.events += events.length;
    return ids;
  }

  rebuildIndexes(): RebuildResult {
    const t0 = performance.now();
    const page = this.#db.prepare(
      'select id, payload from event_log where id > ? order by id limit ?',
    );
    const truncates = DERIVED_TABLES.map((t) => this.#db.prepare(`delete from ${t}`));
    let replayed = 0;
    this.#db.transaction(() => {
      for (const t of truncates) t.run();
      let after = 0;
      for (;;) {
        const rows = page.all(after, REPLAY_PAGE) as { id: number; payload: string }[];
        if (rows.length === 0) break;
        for (const row of rows) {
          applyEventToIndexes(this.#store, JSON.parse(row.payload) as StoredEvent, row.id);
        }
        replayed += rows.length;
        after = rows[rows.length - 1]!.id;
      }
    })();
    return { events: replayed, durationMs: performance.now() - t0 };
  }

  rebuildPartitionRanges(
    assetKey: string,
    indexOf: PartitionIndexOf,
  ): { partitions: number; ranges: number } {
    const db = this.#db;
    const rows = db
      .prepare(
        `select partition_key as partitionKey, status from asset_partitions
         where asset_key = ? and partition_key <> ''`,
      )
      .all(assetKey) as { partitionKey: string; status: PartitionRowStatus }[];
    const setIndex = db.prepare(
      'update asset_partitions set partition_index = ? where asset_key = ? and partition_key = ?',
    );
    const entries: [number, PartitionStatus][] = [];
    let result = { partitions: 0, ranges: 0 };
    db.transaction(() => {
      for (const row of rows) {
        let index: number | null = null;
        try {
          const i = indexOf(row.partitionKey);
          index = Number.isSafeInteger(i) && i >= 0 ? i : null;
        } catch {
          // A key the definition no longer has: kept in the log, absent from the ranges.
        }
        setIndex.run(index, assetKey, row.partitionKey);
        if (index !== null && row.status !== 'missing') entries.push([index, row.status]);
      }
      entries.sort((a, b) => a[0] - b[0]);
      db.prepare('delete from partition_ranges where asset_key = ?').run(assetKey);
      db.prepare('delete from asset_status_counts where asset_key = ?').run(assetKey);
      const ranges = compressToRanges(entries);
      for (const range of ranges) {
        this.#store.upsertRange(assetKey, range);
        this.#store.addCount(assetKey, range.status, range.endIndex - range.startIndex);
      }
      result = { partitions: rows.length, ranges: ranges.length };
    })();
    return result;
  }

  stats(): WriterStats {
    return { ...this.#stats };
  }
}
