import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { DaemonError } from '../../errors.js';
import { migrateToLatest } from '../migrations/migrate.js';
import type { CairnDatabase } from '../schema.js';
import type { IntegrityReport, StorageBackend } from '../storage-backend.js';
import { PostgresEventWriter } from './postgres-event-writer.js';

/**
 * The Postgres dialect module: a pg pool (kysely's PostgresDialect for the dialect-agnostic
 * reads, one dedicated connection for the writer), the same numbered migrations as SQLite, and
 * the writer. Together with its writer, the only place that knows the storage is Postgres.
 */

/** Postgres settings of `openStorage`. */
export interface PostgresBackendOptions {
  /** `postgres://user:password@host:5432/database` (also `postgresql://`). */
  databaseUrl: string;
  /** Most connections the pool opens (one of them is the writer's). Default 10. */
  poolSize?: number;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

// bigint columns (event ids, partition indexes, counts) come back as JS numbers, as on SQLite:
// every value Cairn stores in them is below 2^53.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

/** The URL without its password, for messages. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/** Opens a pool on a Postgres database, migrates it and builds the writer. */
export async function openPostgresBackend(
  options: PostgresBackendOptions,
): Promise<StorageBackend> {
  const { databaseUrl } = options;
  let protocol = '';
  try {
    protocol = new URL(databaseUrl).protocol;
  } catch {
    // reported below
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    throw new DaemonError(
      'CAIRN_INVALID_OPTIONS',
      `openStorage: databaseUrl must be a postgres:// URL (e.g. "postgres://cairn@db.internal:5432/cairn"), got ${JSON.stringify(redactDatabaseUrl(databaseUrl))}.`,
      { option: 'databaseUrl' },
    );
  }
  const poolSize = options.poolSize ?? 10;
  if (!Number.isSafeInteger(poolSize) || poolSize < 2) {
    throw new DaemonError(
      'CAIRN_INVALID_OPTIONS',
      `openStorage: poolSize must be an integer >= 2 (the writer holds one connection), got ${String(options.poolSize)}.`,
      { option: 'poolSize', value: options.poolSize },
    );
  }
  const where = `"${redactDatabaseUrl(databaseUrl)}"`;
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize, types });
  // An idle connection that the server drops must not crash the daemon (pg emits 'error').
  pool.on('error', () => undefined);
  try {
    await pool.query('select 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new DaemonError(
      'CAIRN_STORAGE_OPEN_FAILED',
      `Cannot connect to the Postgres database ${where}: ${err instanceof Error ? err.message : String(err)}. Check that the server is running and reachable, that the database exists (createdb), and the user and password.`,
      { where },
      { cause: err },
    );
  }
  const db = new Kysely<CairnDatabase>({ dialect: new PostgresDialect({ pool }) });
  let applied: string[];
  try {
    applied = await migrateToLatest(db, 'postgres', where);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  const writer = new PostgresEventWriter(pool, where);
  return {
    flavor: 'postgres',
    where,
    db,
    writer,
    appliedMigrations: applied,
    async integrityCheck(): Promise<IntegrityReport> {
      // Postgres checks pages itself (data checksums, when enabled); report what it counted.
      const { rows } = await pool.query<{ failures: number | null }>(
        `select checksum_failures as failures from pg_stat_database where datname = current_database()`,
      );
      const failures = Number(rows[0]?.failures ?? 0);
      return failures > 0
        ? { ok: false, problems: [`${failures} data checksum failure(s) reported by Postgres`] }
        : { ok: true, problems: [] };
    },
    async close(): Promise<void> {
      await writer.close();
      await db.destroy();
    },
  };
}
