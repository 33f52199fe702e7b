import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { DaemonError } from '../../errors.js';
import { migrateToLatest } from '../migrations/migrate.js';
import type { CairnDatabase } from '../schema.js';
import type { IntegrityReport, StorageBackend } from '../storage-backend.js';
import { SqliteEventWriter } from './sqlite-event-writer.js';
import { SqliteStatusReads } from './sqlite-status-reads.js';

/**
 * The SQLite dialect module: opens the database file with the settings a single-writer daemon
 * wants, migrates it, and builds the writer. The only place (with its writer and index store)
 * that knows the storage is SQLite.
 */

/** SQLite settings of `openStorage`. */
export interface SqliteBackendOptions {
  /** The database file (created with its directory if missing), or `:memory:`. */
  path: string;
  /**
   * `NORMAL` (default): in WAL mode, a committed transaction survives a crash of the process
   * (kill -9), but the last transactions before a power loss or OS crash may be lost (never
   * corrupted). `FULL`: also fsyncs the WAL on every commit, so commits survive power loss, at
   * the cost of one fsync per group commit.
   */
  synchronous?: 'NORMAL' | 'FULL';
  /** How long a statement waits for a lock held by another process before SQLITE_BUSY. Default 5000 ms. */
  busyTimeoutMs?: number;
  /** Extra PRAGMAs applied after migrating (e.g. `{ max_page_count: 10000 }`). Default none. */
  pragmas?: Record<string, string | number>;
}

const PRAGMA_NAME = /^[a-z_]+$/;
const PRAGMA_VALUE = /^[A-Za-z0-9_-]+$/;

/** Opens, configures and migrates a SQLite database; the storage's SQLite backend. */
export async function openSqliteBackend(options: SqliteBackendOptions): Promise<StorageBackend> {
  const { path } = options;
  const memory = path === ':memory:';
  const where = memory ? 'in memory' : `"${resolve(path)}"`;
  const synchronous = options.synchronous ?? 'NORMAL';
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  if (synchronous !== 'NORMAL' && synchronous !== 'FULL') {
    throw new DaemonError(
      'CAIRN_INVALID_OPTIONS',
      `openStorage: synchronous must be "NORMAL" or "FULL", got ${JSON.stringify(synchronous)}.`,
      { option: 'synchronous', value: synchronous },
    );
  }
  if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new DaemonError(
      'CAIRN_INVALID_OPTIONS',
      `openStorage: busyTimeoutMs must be a non-negative integer of milliseconds, got ${busyTimeoutMs}.`,
      { option: 'busyTimeoutMs', value: busyTimeoutMs },
    );
  }
  const extra = Object.entries(options.pragmas ?? {});
  for (const [name, value] of extra) {
    if (!PRAGMA_NAME.test(name) || !PRAGMA_VALUE.test(String(value))) {
      throw new DaemonError(
        'CAIRN_INVALID_OPTIONS',
        `openStorage: pragma ${JSON.stringify(name)} = ${JSON.stringify(value)} is not a plain name and value; use names like "cache_size" and numeric or word values.`,
        { option: 'pragmas', name, value },
      );
    }
  }

  let sqlite: Database.Database;
  try {
    if (!memory) mkdirSync(dirname(resolve(path)), { recursive: true });
    sqlite = new Database(path);
    // WAL: readers never block the writer, and a commit is one append to the WAL file.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma(`synchronous = ${synchronous}`);
    sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`);
    sqlite.pragma('foreign_keys = ON');
  } catch (err) {
    throw new DaemonError(
      'CAIRN_STORAGE_OPEN_FAILED',
      `Cannot open the database ${where}: ${err instanceof Error ? err.message : String(err)}. Check that the path is a writable file (not a directory) and that the disk is not full.`,
      { where },
      { cause: err },
    );
  }
  const db = new Kysely<CairnDatabase>({ dialect: new SqliteDialect({ database: sqlite }) });
  let applied: string[];
  try {
    applied = await migrateToLatest(db, 'sqlite', where);
    for (const [name, value] of extra) sqlite.pragma(`${name} = ${value}`);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  const writer = new SqliteEventWriter(sqlite, where);
  const statusReads = new SqliteStatusReads(sqlite);
  return {
    partitionStatus: (assetKey, opts) => statusReads.partitionStatus(assetKey, opts),
    flavor: 'sqlite',
    where,
    db,
    writer,
    appliedMigrations: applied,
    async integrityCheck(): Promise<IntegrityReport> {
      const rows = sqlite.pragma('integrity_check') as { integrity_check: string }[];
      const problems = rows.map((r) => r.integrity_check).filter((m) => m !== 'ok');
      return { ok: problems.length === 0, problems };
    },
    async close(): Promise<void> {
      // Destroying kysely closes the better-sqlite3 connection (which checkpoints the WAL).
      await db.destroy();
    },
  };
}
