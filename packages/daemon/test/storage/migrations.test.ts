import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { isDaemonError } from '../../src/errors.js';
import { cairnMigrations, MIGRATION_TABLE } from '../../src/storage/migrations/migrate.js';
import { openStorage } from '../../src/storage/storage.js';
import { tempDb } from './helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe('migrations', () => {
  it('creates every table and records 001_initial, with WAL and the durability settings', async () => {
    const t = tempDb('nested/dir/cairn.db');
    cleanups.push(t.cleanup);
    const storage = await openStorage({ path: t.path });
    await storage.close();
    const db = new Database(t.path, { readonly: true });
    try {
      const tables = (
        db.prepare("select name from sqlite_master where type = 'table' order by name").all() as {
          name: string;
        }[]
      ).map((r) => r.name);
      expect(tables).toEqual([
        'alert_deliveries',
        'asset_partitions',
        'asset_status_counts',
        'automation_evaluations',
        'automation_state',
        'automation_ticks',
        'backfill_partitions',
        'backfills',
        MIGRATION_TABLE,
        'cairn_migration_lock',
        'check_results',
        'dynamic_partitions',
        'event_log',
        'instigator_state',
        'instigator_ticks',
        'leases',
        'meta',
        'partition_ranges',
        'run_claims',
        'run_limits',
        'runs',
        'sensor_run_keys',
        'stale_partitions',
        'steps',
      ]);
      const applied = db.prepare(`select name from ${MIGRATION_TABLE}`).all();
      expect(applied).toEqual(Object.keys(cairnMigrations('sqlite')).map((name) => ({ name })));
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const meta = db.prepare("select value from meta where key = 'created_by'").get();
      expect(meta).toEqual({ value: '@cairn/daemon 0.1.0' });
    } finally {
      db.close();
    }
  });

  it('reopens an up-to-date database without applying anything again', async () => {
    const t = tempDb();
    cleanups.push(t.cleanup);
    const first = await openStorage({ path: t.path });
    await first.append([{ type: 'log', runId: 'r', timestamp: 't', level: 'info', message: 'hi' }]);
    await first.close();
    const second = await openStorage({ path: t.path, synchronous: 'FULL' });
    expect(await second.getLastEventId()).toBe(1);
    await second.close();
  });

  it('refuses a database migrated by a newer Cairn, before touching it', async () => {
    const t = tempDb();
    cleanups.push(t.cleanup);
    await (await openStorage({ path: t.path })).close();
    const raw = new Database(t.path);
    raw
      .prepare(`insert into ${MIGRATION_TABLE} (name, timestamp) values (?, ?)`)
      .run('002_future_feature', new Date().toISOString());
    raw.close();
    const err = await openStorage({ path: t.path }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isDaemonError(err, 'CAIRN_SCHEMA_TOO_NEW')).toBe(true);
    const message = (err as Error).message;
    expect(message).toContain('newer version of Cairn');
    expect(message).toContain('002_future_feature');
    const latest = Object.keys(cairnMigrations('sqlite')).sort().at(-1);
    expect(message).toContain(`only knows up to ${latest}`);
    expect((err as { details: unknown }).details).toMatchObject({
      unknownMigrations: ['002_future_feature'],
      latestKnown: latest,
    });
    // Nothing was changed: the unknown migration is still recorded, no table was dropped.
    const check = new Database(t.path, { readonly: true });
    expect(check.prepare(`select count(*) as n from ${MIGRATION_TABLE}`).get()).toEqual({
      n: Object.keys(cairnMigrations('sqlite')).length + 1,
    });
    check.close();
  });

  it('rejects invalid options with CAIRN_INVALID_OPTIONS', async () => {
    const t = tempDb();
    cleanups.push(t.cleanup);
    for (const options of [
      { path: '' },
      { path: t.path, maxBatchSize: 0 },
      { path: t.path, synchronous: 'OFF' as 'FULL' },
      { path: t.path, pragmas: { 'x; drop table runs': 1 } },
    ]) {
      const err = await openStorage(options).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isDaemonError(err, 'CAIRN_INVALID_OPTIONS')).toBe(true);
    }
  });
});
