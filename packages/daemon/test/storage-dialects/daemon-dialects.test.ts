import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { Daemon } from '../../src/daemon.js';
import { backfillDaemon, dumpLedger, tempHome, waitForBackfill } from '../backfills/helpers.js';
import { calls, testDaemon } from '../runs/helpers.js';
import { type DialectContext, describeDialects } from './dialects.js';

/**
 * The run coordinator and the backfill ledger on every dialect: the same scenarios as
 * test/runs/coordinator.test.ts and test/backfills/ledger.test.ts, with the daemon's storage on
 * SQLite (in its home) or on Postgres (`databaseUrl`), showing the same behaviour.
 */

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function storageOption(ctx: DialectContext): Promise<{ databaseUrl?: string }> {
  const options = await ctx.fresh();
  return options.databaseUrl === undefined ? {} : { databaseUrl: options.databaseUrl };
}

async function eventTypes(daemon: Daemon, runId: string): Promise<string[]> {
  const page = await daemon.storage.getEventsForRun(runId);
  return page.records.map((r) => r.event.type);
}

describeDialects('run coordinator', (ctx) => {
  it('plans, queues and runs a selection; an idempotency key returns the same run', async () => {
    const t = await testDaemon({ ...(await storageOption(ctx)), schedulerIntervalSeconds: 0 });
    cleanups.push(t.cleanup);
    const { daemon, home } = t;
    const [first, second] = await Promise.all([
      daemon.submit({ selection: ['a', 'b'], idempotencyKey: 'k1' }),
      daemon.submit({ selection: ['a', 'b'], idempotencyKey: 'k1' }),
    ]);
    expect(first.created).toBe(true);
    expect(second).toEqual({ runId: first.runId, created: false });
    expect((await daemon.waitForRun(first.runId)).status).toBe('success');
    const types = await eventTypes(daemon, first.runId);
    expect(types.filter((x) => x === 'run_started')).toHaveLength(1);
    expect(types.filter((x) => x === 'materialization')).toHaveLength(2);
    expect(calls(home, 'a')).toBe(1);
    expect(daemon.storage.where).toContain(ctx.dialect === 'postgres' ? 'postgres://' : 'cairn.db');
  });

  it('records partition indexes so partition status comes back as ranges', async () => {
    const t = await testDaemon({ ...(await storageOption(ctx)), schedulerIntervalSeconds: 0 });
    cleanups.push(t.cleanup);
    const { runId } = await t.daemon.submit({
      selection: 'daily',
      partitionRange: { from: 'p2', to: 'p3' },
    });
    expect((await t.daemon.waitForRun(runId)).status).toBe('success');
    const status = await t.daemon.storage.getPartitionStatus('daily', { totalPartitions: 4 });
    expect(status.ranges).toEqual([{ startIndex: 1, endIndex: 3, status: 'materialized' }]);
    expect(status.counts.missing).toBe(2);
  });

  it('dequeues by priority, then submission order', async () => {
    const t = await testDaemon({
      ...(await storageOption(ctx)),
      autoStart: false,
      maxConcurrentRuns: 1,
      schedulerIntervalSeconds: 0,
    });
    cleanups.push(t.cleanup);
    const ids: string[] = [];
    for (const priority of [0, 5, 1, 5]) {
      ids.push((await t.daemon.submit({ selection: 'a', priority })).runId);
    }
    const started: string[] = [];
    t.daemon.onEvent(({ event }) => {
      if (event.type === 'run_started') started.push(event.runId);
    });
    await t.daemon.start();
    for (const id of ids) await t.daemon.waitForRun(id);
    expect(started).toEqual([ids[1], ids[3], ids[2], ids[0]]);
  });
});

describeDialects('backfill ledger', (ctx) => {
  it('maintained in the append transactions equals the ledger rebuilt from the log', async () => {
    const { home, cleanup } = tempHome();
    cleanups.push(cleanup);
    const daemon = await backfillDaemon(home, {
      ...(await storageOption(ctx)),
      schedulerIntervalSeconds: 0,
    });
    cleanups.push(() => daemon.stop());
    writeFileSync(join(home, 'fail-raw-p003'), '');
    const a = await daemon.backfills.create({
      selection: ['raw', 'clean'],
      partitions: { from: 'p000', to: 'p005' },
    });
    const done = await waitForBackfill(daemon, a.backfillId);
    expect(done.counts).toMatchObject({ materialized: 10, failed: 2 });
    const c = await daemon.backfills.create({ selection: 'raw', partitions: 'failed' });
    expect(c.total).toBe(1);
    await daemon.backfills.cancel(c.backfillId);
    await waitForBackfill(daemon, c.backfillId, ['canceled']);
    await daemon.storage.flush();
    const incremental = await dumpLedger(daemon.storage.db);
    expect(incremental.rows.length).toBe(12 + 1);
    await daemon.storage.rebuildIndexes();
    expect(await dumpLedger(daemon.storage.db)).toEqual(incremental);
  }, 40_000);
});
