import { afterEach, describe, expect, it } from 'vitest';
import { KEYS } from './fixtures/backfill-defs.js';
import { backfillDaemon, calls, tempHome, waitForBackfill, waitUntil } from './helpers.js';

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
  delete process.env.CAIRN_BACKFILL_SLOW_MS;
});

describe('cancel, resume, restart', () => {
  it('caps runs in flight, cancels queued and running runs and what was not submitted, then resumes', async () => {
    const { home, cleanup } = tempHome();
    cleanups.push(cleanup);
    const daemon = await backfillDaemon(home);
    cleanups.push(() => daemon.stop());
    process.env.CAIRN_BACKFILL_SLOW_MS = '60000';
    await daemon.backfills.create({
      selection: 'slow',
      partitions: { from: 'p000', to: 'p009' },
      backfillId: 'slow',
      maxRunsInFlight: 2,
    });
    await waitUntil(async () => calls(home).length === 2);
    const running = await daemon.backfills.get('slow');
    expect(running).toMatchObject({ state: 'in_progress', runsInFlight: 2 });
    expect(running!.counts).toMatchObject({ in_progress: 2, requested: 8 });
    // The cap holds however many ticks pass.
    await daemon.backfills.tick();
    await daemon.backfills.tick();
    expect((await daemon.storage.getRuns({ backfillId: 'slow' })).runs).toHaveLength(2);

    const canceling = await daemon.backfills.cancel('slow');
    expect(canceling.counts.canceled).toBeGreaterThanOrEqual(8);
    const canceled = await waitForBackfill(daemon, 'slow', ['canceled']);
    expect(canceled.counts).toMatchObject({ canceled: 10, in_progress: 0, requested: 0 });
    const runs = (await daemon.storage.getRuns({ backfillId: 'slow' })).runs;
    expect(runs.map((r) => r.status)).toEqual(['canceled', 'canceled']);
    await daemon.backfills.tick();
    expect((await daemon.storage.getRuns({ backfillId: 'slow' })).runs).toHaveLength(2);

    process.env.CAIRN_BACKFILL_SLOW_MS = '1';
    const resumed = await daemon.backfills.resume('slow');
    expect(resumed.passes).toBe(2);
    const done = await waitForBackfill(daemon, 'slow');
    expect(done).toMatchObject({ state: 'completed', counts: { materialized: 10 } });
    // The two canceled runs' chunks were submitted again under new idempotency keys.
    const all = (await daemon.storage.getRuns({ backfillId: 'slow' })).runs;
    expect(all).toHaveLength(12);
    expect(new Set(all.map((r) => r.idempotencyKey)).size).toBe(12);
  });

  it('survives a daemon restart and continues where it stopped, without duplicates', async () => {
    const { home, cleanup } = tempHome();
    cleanups.push(cleanup);
    let daemon = await backfillDaemon(home, { poolSize: 2 });
    const keys = KEYS.slice(0, 100);
    await daemon.backfills.create({
      selection: ['raw', 'clean'],
      partitions: keys,
      backfillId: 'long',
      maxRunsInFlight: 2,
    });
    await waitUntil(
      async () => ((await daemon.backfills.get('long'))?.counts.materialized ?? 0) >= 10,
    );
    // A graceful stop cancels the running runs: what they did not materialize is requested again.
    await daemon.stop();
    daemon = await backfillDaemon(home, { poolSize: 2 });
    cleanups.push(() => daemon.stop());
    const stoppedAt = await daemon.storage.getLastEventId();
    const before = await daemon.backfills.get('long');
    expect(before!.counts.materialized).toBeGreaterThanOrEqual(10);
    expect(before!.counts.materialized).toBeLessThan(200);
    const done = await waitForBackfill(daemon, 'long');
    expect(done).toMatchObject({ state: 'completed', counts: { materialized: 200 } });
    const runs = (await daemon.storage.getRuns({ backfillId: 'long', limit: 1000 })).runs;
    expect(new Set(runs.map((r) => r.idempotencyKey)).size).toBe(runs.length);
    // At most one successful run per chunk.
    const chunks = runs
      .filter((r) => r.status === 'success')
      .map((r) => r.tags['cairn/backfill_chunk']);
    expect(new Set(chunks).size).toBe(chunks.length);
    for (const assetKey of ['raw', 'clean']) {
      for (const key of keys) {
        const history = await daemon.storage.getMaterializationHistory(assetKey, {
          partitionKey: key,
        });
        const ids = history.records.map((r) => r.id);
        expect(ids.length, `${assetKey}[${key}]`).toBeGreaterThanOrEqual(1);
        // Materialized before the stop: never again after the restart.
        if (Math.min(...ids) <= stoppedAt) expect(Math.max(...ids)).toBeLessThanOrEqual(stoppedAt);
        else expect(ids).toHaveLength(1);
      }
    }
  });
});
