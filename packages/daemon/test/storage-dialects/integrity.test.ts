import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { isDaemonError } from '../../src/errors.js';
import { cairnMigrations, MIGRATION_TABLE } from '../../src/storage/migrations/migrate.js';
import { openStorage } from '../../src/storage/storage.js';
import type { StoredEvent } from '../../src/storage/stored-event.js';
import { dumpDerived, mat, rangeProblems, ts } from '../storage/helpers.js';
import { describeDialects } from './dialects.js';

/** Migrations, failed batches and partition ranges, on every dialect. */

function queued(runId: string): StoredEvent {
  return { type: 'run_queued', runId, selection: ['a'], timestamp: ts() };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describeDialects('migrations', (ctx) => {
  it('applies every migration once, then nothing on reopen', async () => {
    const first = await openStorage(await ctx.fresh());
    const applied = await first.db
      .selectFrom(MIGRATION_TABLE as 'meta')
      .select('name' as 'key')
      .execute();
    expect(applied.map((r) => (r as unknown as { name: string }).name)).toEqual(
      Object.keys(cairnMigrations(ctx.dialect)).sort(),
    );
    await first.append([mat('a', 0)]);
    await first.close();
    const second = await openStorage(ctx.same());
    expect(await second.getLastEventId()).toBe(1);
    await second.close();
  });

  it('refuses a database migrated by a newer Cairn', async () => {
    const storage = await openStorage(await ctx.fresh());
    await sql`insert into ${sql.table(MIGRATION_TABLE)} (name, timestamp) values (${'999_future'}, ${new Date().toISOString()})`.execute(
      storage.db,
    );
    await storage.close();
    const err = await rejection(openStorage(ctx.same()));
    expect(isDaemonError(err, 'CAIRN_SCHEMA_TOO_NEW')).toBe(true);
    expect((err as Error).message).toContain('999_future');
  });
});

describeDialects('a failed batch', (ctx) => {
  it('rolls back entirely on a constraint violation and keeps the appends it was batched with', async () => {
    const storage = await openStorage(await ctx.fresh());
    try {
      await storage.append([queued('dup'), mat('a', 0)]);
      const before = await dumpDerived(storage.db);
      // Three appends of one tick share a transaction; the middle one queues a run id twice.
      const results = await Promise.allSettled([
        storage.append([mat('a', 1)]),
        storage.append([mat('a', 2), queued('dup')]),
        storage.append([mat('a', 3)]),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      const err = (results[1] as PromiseRejectedResult).reason;
      expect(isDaemonError(err, 'CAIRN_STORAGE_WRITE_FAILED')).toBe(true);
      expect((err as Error).message).toContain('none of its events were stored');
      expect(storage.stats().failedBatches).toBe(2);
      const events = await storage.getEventsAfter(0);
      expect(events.records.map((r) => r.event.type)).toEqual([
        'run_queued',
        'materialization',
        'materialization',
        'materialization',
      ]);
      expect(await storage.getAssetPartition('a', 'p2')).toBeUndefined();
      expect((await storage.getPartitionStatus('a')).ranges).toEqual([
        { startIndex: 0, endIndex: 2, status: 'materialized' },
        { startIndex: 3, endIndex: 4, status: 'materialized' },
      ]);
      expect(await rangeProblems(storage.db)).toEqual([]);
      expect((await dumpDerived(storage.db)).runs).toEqual(before.runs);
    } finally {
      await storage.close();
    }
  });

  it.runIf(ctx.dialect === 'postgres')(
    'rolls back when the database itself refuses a row (a trigger) and keeps working',
    async () => {
      const storage = await openStorage(await ctx.fresh());
      try {
        await storage.append([mat('a', 0)]);
        await ctx.pgQuery(`
          create function cairn_test_refuse() returns trigger language plpgsql as $$
          begin
            if new.asset_key = 'poison' then raise exception 'poisoned row' using errcode = '23514'; end if;
            return new;
          end $$;
          create trigger cairn_test_refuse before insert on asset_partitions
            for each row execute function cairn_test_refuse();`);
        const before = await dumpDerived(storage.db);
        const err = await rejection(storage.append([mat('b', 0), mat('poison', 0)]));
        expect(isDaemonError(err, 'CAIRN_STORAGE_WRITE_FAILED')).toBe(true);
        expect((err as { details: { pgCode: string } }).details.pgCode).toBe('23514');
        expect(await storage.getLastEventId()).toBe(1);
        expect(await dumpDerived(storage.db)).toEqual(before);
        expect(await storage.append([mat('b', 1)])).toEqual([4]);
        expect((await storage.getPartitionStatus('b')).ranges).toEqual([
          { startIndex: 1, endIndex: 2, status: 'materialized' },
        ]);
      } finally {
        await storage.close();
      }
    },
  );
});

describeDialects('partition ranges', (ctx) => {
  it('keeps maximal ranges and counts for out-of-order changes across batches', async () => {
    const storage = await openStorage(await ctx.fresh({ maxBatchSize: 7 }));
    try {
      const order = Array.from({ length: 300 }, (_, i) => (i * 37) % 300);
      await Promise.all(order.map((i) => storage.append([mat('big', i)])));
      expect((await storage.getPartitionStatus('big')).ranges).toEqual([
        { startIndex: 0, endIndex: 300, status: 'materialized' },
      ]);
      const fails = [5, 6, 7, 150, 299].map(
        (i) =>
          ({
            type: 'step_failed',
            runId: 'r1',
            stepKey: `s${i}`,
            assetKeys: ['big'],
            partitionKey: `p${i}`,
            partitionIndex: i,
            error: { name: 'E', message: 'x' },
            attempts: 1,
            timestamp: ts(),
          }) as StoredEvent,
      );
      await storage.append(fails);
      const page = await storage.getPartitionStatus('big', { totalPartitions: 400 });
      expect(page.ranges).toEqual([
        { startIndex: 0, endIndex: 5, status: 'materialized' },
        { startIndex: 5, endIndex: 8, status: 'failed' },
        { startIndex: 8, endIndex: 150, status: 'materialized' },
        { startIndex: 150, endIndex: 151, status: 'failed' },
        { startIndex: 151, endIndex: 299, status: 'materialized' },
        { startIndex: 299, endIndex: 300, status: 'failed' },
      ]);
      expect(page.counts).toEqual({ materialized: 295, failed: 5, in_progress: 0, missing: 100 });
      const second = await storage.getPartitionStatus('big', { fromIndex: 8, limit: 2 });
      expect(second.ranges.map((r) => r.startIndex)).toEqual([8, 150]);
      await storage.append([{ type: 'asset_wiped', assetKey: 'big', timestamp: ts() }]);
      expect((await storage.getPartitionStatus('big')).ranges).toEqual([]);
      expect(await rangeProblems(storage.db)).toEqual([]);
    } finally {
      await storage.close();
    }
  });
});

describe('choosing the backend', () => {
  it('refuses a URL that is not postgres:// and names an unreachable server', async () => {
    const bad = await rejection(openStorage({ databaseUrl: 'mysql://u:pw@h/db' }));
    expect(isDaemonError(bad, 'CAIRN_INVALID_OPTIONS')).toBe(true);
    expect((bad as Error).message).not.toContain('pw');
    const down = await rejection(
      openStorage({ databaseUrl: 'postgres://cairn:secret@127.0.0.1:1/cairn' }),
    );
    expect(isDaemonError(down, 'CAIRN_STORAGE_OPEN_FAILED')).toBe(true);
    expect((down as Error).message).toContain('127.0.0.1:1');
    expect((down as Error).message).not.toContain('secret');
  });
});
