import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import type { OpenStorageOptions } from '../../src/storage/storage.js';

/**
 * The dialect loop of the storage tests (as kysely's own tests do): `describeDialects(title, fn)`
 * registers `fn` once per dialect. SQLite always runs; Postgres runs against
 * CAIRN_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), each test file in
 * its own database (random name, C collation so text sorts as on SQLite), created in beforeAll and
 * dropped in afterAll. When the server is unreachable the Postgres half is skipped, with a
 * warning naming the URL and the reason.
 */

/** The server the Postgres half uses. */
export const TEST_DATABASE_URL =
  process.env.CAIRN_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function probe(): Promise<string | undefined> {
  const client = new pg.Client({
    connectionString: TEST_DATABASE_URL,
    connectionTimeoutMillis: 3000,
  });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Why Postgres tests are skipped (undefined: they run). */
export const postgresSkipReason = await probe();
if (postgresSkipReason !== undefined) {
  console.warn(
    `[storage-dialects] Postgres tests SKIPPED: cannot reach ${TEST_DATABASE_URL} (${postgresSkipReason}). Set CAIRN_TEST_DATABASE_URL to a reachable server.`,
  );
}

/** A dialect under test. */
export type DialectName = 'sqlite' | 'postgres';

/** What a test body gets: fresh databases of its dialect. */
export interface DialectContext {
  readonly dialect: DialectName;
  /** Options of `openStorage` for a new, empty database (Postgres: the file's database, reset). */
  fresh(extra?: Omit<OpenStorageOptions, 'path' | 'databaseUrl'>): Promise<OpenStorageOptions>;
  /** Options reopening the database `fresh()` returned last. */
  same(extra?: Omit<OpenStorageOptions, 'path' | 'databaseUrl'>): OpenStorageOptions;
  /** Runs SQL on the current Postgres database (Postgres only). */
  pgQuery(text: string): Promise<pg.QueryResult>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Registers `fn` once per dialect, in a describe named after it. */
export function describeDialects(title: string, fn: (ctx: DialectContext) => void): void {
  for (const dialect of ['sqlite', 'postgres'] as const) {
    const skip = dialect === 'postgres' && postgresSkipReason !== undefined;
    describe.skipIf(skip)(`${title} [${dialect}]`, () => {
      let dir = '';
      let current: OpenStorageOptions = {};
      let n = 0;
      const database = `cairn_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
      const url = withDatabase(TEST_DATABASE_URL, database);
      const admin = async <T>(f: (c: pg.Client) => Promise<T>, target = TEST_DATABASE_URL) => {
        const c = new pg.Client({ connectionString: target });
        await c.connect();
        try {
          return await f(c);
        } finally {
          await c.end();
        }
      };
      beforeAll(async () => {
        dir = mkdtempSync(join(tmpdir(), 'cairn-dialects-'));
        if (dialect === 'postgres') {
          await admin((c) =>
            c.query(
              `create database ${database} template template0 encoding 'UTF8' lc_collate 'C' lc_ctype 'C'`,
            ),
          );
        }
      });
      afterAll(async () => {
        rmSync(dir, { recursive: true, force: true });
        if (dialect === 'postgres') {
          await admin((c) => c.query(`drop database if exists ${database} with (force)`));
        }
      });
      fn({
        dialect,
        async fresh(extra = {}) {
          if (dialect === 'sqlite') {
            current = { ...extra, path: join(dir, `db${n++}.sqlite`) };
          } else {
            await admin((c) => c.query('drop schema public cascade; create schema public'), url);
            current = { ...extra, databaseUrl: url };
          }
          return current;
        },
        same(extra = {}) {
          return { ...current, ...extra };
        },
        pgQuery(text) {
          return admin((c) => c.query(text), url);
        },
      });
    });
  }
}

/** Runs `f` with a client connected to `target` (default: the test server's database). */
export async function pgAdmin<T>(
  f: (c: pg.Client) => Promise<T>,
  target = TEST_DATABASE_URL,
): Promise<T> {
  const c = new pg.Client({ connectionString: target });
  await c.connect();
  try {
    return await f(c);
  } finally {
    await c.end();
  }
}

/** A database of its own for one test file (C collation, as the dialect suite uses). */
export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  create(): Promise<void>;
  drop(): Promise<void>;
}

/** Names a fresh database `<prefix>_<pid>_<random>` on the test server; create/drop it in hooks. */
export function testDatabase(prefix: string): TestDatabase {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  return {
    name,
    url: withDatabase(TEST_DATABASE_URL, name),
    create: () =>
      pgAdmin((c) =>
        c.query(
          `create database ${name} template template0 encoding 'UTF8' lc_collate 'C' lc_ctype 'C'`,
        ),
      ).then(() => undefined),
    drop: () =>
      pgAdmin((c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}
