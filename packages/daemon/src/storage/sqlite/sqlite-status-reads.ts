import type Database from 'better-sqlite3';
import type { PartitionStatusPage, PartitionStatusQuery } from '../records.js';
import { partitionStatusLimit, partitionStatusPage } from '../storage-reads.js';

type RangeRow = { start_index: number; end_index: number; status: 'materialized' };
type CountRow = { status: 'materialized'; count: number };

/**
 * `getPartitionStatus` on SQLite through statements prepared once. The kysely path builds,
 * compiles and prepares both statements on every call: profiling 50 clients polling
 * GET /api/assets/:key/partitions put ~15% of the server's CPU there (better-sqlite3's prepare
 * alone ~7.5%). The SQL is the same as `readPartitionStatus` (storage-reads.ts); the page is
 * assembled by the same function. Synchronous, like every better-sqlite3 read.
 */
export class SqliteStatusReads {
  readonly #sqlite: Database.Database;
  #statements:
    | {
        ranges: Database.Statement<[string, number, number], RangeRow>;
        rangesOf: Database.Statement<[string, number, string, number], RangeRow>;
        counts: Database.Statement<[string], CountRow>;
      }
    | undefined;

  constructor(sqlite: Database.Database) {
    this.#sqlite = sqlite;
  }

  /** A page of an asset's status ranges with its counts (see `Storage.getPartitionStatus`). */
  partitionStatus(assetKey: string, opts: PartitionStatusQuery = {}): PartitionStatusPage {
    const limit = partitionStatusLimit(opts.limit);
    const st = this.#prepared();
    const from = opts.fromIndex ?? 0;
    const rows =
      opts.status === undefined
        ? st.ranges.all(assetKey, from, limit)
        : st.rangesOf.all(assetKey, from, opts.status, limit);
    return partitionStatusPage(rows, st.counts.all(assetKey), opts, limit);
  }

  // Prepared on first use: the tables exist only once the migrations have run.
  #prepared() {
    if (this.#statements === undefined) {
      const ranges = `select start_index, end_index, status from partition_ranges
        where asset_key = ? and start_index >= ?`;
      this.#statements = {
        ranges: this.#sqlite.prepare(`${ranges} order by start_index limit ?`),
        rangesOf: this.#sqlite.prepare(`${ranges} and status = ? order by start_index limit ?`),
        counts: this.#sqlite.prepare(
          'select status, count from asset_status_counts where asset_key = ?',
        ),
      };
    }
    return this.#statements;
  }
}
