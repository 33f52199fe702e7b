import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiApp } from '../../src/api/api-context.js';
import { type BuildAppOptions, buildApp } from '../../src/api/build-app.js';
import { createDaemon, type Daemon } from '../../src/daemon.js';
import { inProcessPool } from '../runs/in-process-pool.js';
import defs from './fixtures/api-defs.js';

/**
 * A daemon (fixture definitions, in-process pool, temp home) with an API app over it; its storage
 * is SQLite in the home unless `databaseUrl` names a Postgres database.
 */
export async function testApi(
  options: Omit<BuildAppOptions, 'daemon'> & { databaseUrl?: string } = {},
): Promise<{ daemon: Daemon; app: ApiApp; home: string; cleanup(): Promise<void> }> {
  const home = mkdtempSync(join(tmpdir(), 'cairn-api-'));
  process.env.CAIRN_API_FIXTURE_DIR = home;
  const { databaseUrl, ...appOptions } = options;
  const daemon = await createDaemon({
    definitions: defs,
    home,
    workerPool: inProcessPool(defs, home, 2),
    ...(databaseUrl === undefined ? {} : { databaseUrl }),
  });
  const app = await buildApp({ daemon, ...appOptions });
  return {
    daemon,
    app,
    home,
    async cleanup() {
      await app.close();
      await daemon.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** The asset key as it goes in a path. */
export const enc = (key: string) => encodeURIComponent(key);

/**
 * A fingerprint of the database: the last event id plus a checksum of every derived table, to
 * prove a rejected request changed nothing.
 */
export async function dbFingerprint(daemon: Daemon): Promise<string> {
  await daemon.storage.flush();
  const db = daemon.storage.db;
  const tables = [
    'runs',
    'steps',
    'asset_partitions',
    'partition_ranges',
    'asset_status_counts',
    'check_results',
    'dynamic_partitions',
    'backfills',
    'backfill_partitions',
  ] as const;
  const parts = [String(await daemon.storage.getLastEventId())];
  for (const t of tables) {
    const rows = await db.selectFrom(t).selectAll().execute();
    parts.push(`${t}:${JSON.stringify(rows.map((r) => JSON.stringify(r)).sort())}`);
  }
  return parts.join('\n');
}
