import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/daemon.js';
import { calls, concurrencyTracker, testDaemon } from './helpers.js';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups) await c();
  cleanups = [];
  delete process.env.CAIRN_RUNS_SLOW_MS;
});

async function setup(options: Parameters<typeof testDaemon>[0] = {}) {
  const t = await testDaemon(options);
  cleanups.push(t.cleanup);
  return t;
}

async function eventTypes(daemon: Daemon, runId: string): Promise<string[]> {
  const page = await daemon.storage.getEventsForRun(runId);
  return page.records.map((r) => r.event.type);
}

describe('submit', () => {
  it('plans, queues and runs a selection; an idempotency key returns the same run', async () => {
    const { daemon, home } = await setup();
    const [first, second] = await Promise.all([
      daemon.submit({ selection: ['a', 'b'], idempotencyKey: 'k1' }),
      daemon.submit({ selection: ['a', 'b'], idempotencyKey: 'k1' }),
    ]);
    expect(first.created).toBe(true);
    expect(second).toEqual({ runId: first.runId, created: false });
    const run = await daemon.waitForRun(first.runId);
    expect(run.status).toBe('success');
    const again = await daemon.submit({ selection: 'a', idempotencyKey: 'k1' });
    expect(again).toEqual({ runId: first.runId, created: false });
    const types = await eventTypes(daemon, first.runId);
    expect(types.filter((t) => t === 'run_queued')).toHaveLength(1);
    expect(types.filter((t) => t === 'run_started')).toHaveLength(1);
    expect(types.filter((t) => t === 'materialization')).toHaveLength(2);
    expect(calls(home, 'a')).toBe(1);
    expect((await daemon.storage.getLatestMaterialization('b'))?.event).toMatchObject({
      runId: first.runId,
    });
  });

  it('rejects bad selections and partitions with the core error and creates no run', async () => {
    const { daemon } = await setup();
    await expect(daemon.submit({ selection: ['nope'] })).rejects.toMatchObject({
      code: 'CAIRN_UNKNOWN_ASSET',
    });
    await expect(daemon.submit({ selection: 'daily', partitionKey: 'p9' })).rejects.toMatchObject({
      code: 'CAIRN_UNKNOWN_PARTITION',
    });
    await expect(daemon.submit({ selection: 'a', priority: 1.5 } as never)).rejects.toMatchObject({
      code: 'CAIRN_INVALID_OPTIONS',
    });
    expect((await daemon.storage.getRuns()).runs).toHaveLength(0);
  });

  it('records partition indexes so partition status comes back as ranges', async () => {
    const { daemon } = await setup();
    const { runId } = await daemon.submit({
      selection: 'daily',
      partitionRange: { from: 'p2', to: 'p3' },
    });
    expect((await daemon.waitForRun(runId)).status).toBe('success');
    const status = await daemon.storage.getPartitionStatus('daily', { totalPartitions: 4 });
    expect(status.ranges).toEqual([{ startIndex: 1, endIndex: 3, status: 'materialized' }]);
    expect(status.counts.missing).toBe(2);
  });
});

describe('queue', () => {
  it('dequeues by priority, then submission order', async () => {
    const { daemon } = await setup({ autoStart: false, maxConcurrentRuns: 1 });
    const ids: string[] = [];
    for (const priority of [0, 5, 1, 5]) {
      ids.push((await daemon.submit({ selection: 'a', priority })).runId);
    }
    const started: string[] = [];
    daemon.onEvent(({ event }) => {
      if (event.type === 'run_started') started.push(event.runId);
    });
    await daemon.start();
    for (const id of ids) await daemon.waitForRun(id);
    expect(started).toEqual([ids[1], ids[3], ids[2], ids[0]]);
  });

  it('honours the global limit', async () => {
    process.env.CAIRN_RUNS_SLOW_MS = '100';
    const { daemon } = await setup({ maxConcurrentRuns: 2, poolSize: 6 });
    const { max } = concurrencyTracker(daemon, () => 'all');
    const runs = await Promise.all(
      Array.from({ length: 6 }, () => daemon.submit({ selection: 'slow' })),
    );
    for (const r of runs) expect((await daemon.waitForRun(r.runId)).status).toBe('success');
    expect(max.get('all')).toBe(2);
  });

  it('honours tag limits per distinct value and for one value', async () => {
    process.env.CAIRN_RUNS_SLOW_MS = '100';
    const { daemon } = await setup({
      maxConcurrentRuns: 6,
      poolSize: 6,
      tagLimits: [
        { key: 'team', limit: 1 },
        { key: 'tier', value: 'gold', limit: 2 },
      ],
    });
    const team = concurrencyTracker(daemon, (q) => q.tags?.team);
    const gold = concurrencyTracker(daemon, (q) => (q.tags?.tier === 'gold' ? 'gold' : undefined));
    const requests: Record<string, string>[] = [
      { team: 'x' },
      { team: 'x' },
      { team: 'y' },
      { team: 'y' },
      { tier: 'gold' },
      { tier: 'gold' },
      { tier: 'gold' },
      { tier: 'silver' },
    ];
    const runs = await Promise.all(
      requests.map((tags) => daemon.submit({ selection: 'slow', tags })),
    );
    for (const r of runs) expect((await daemon.waitForRun(r.runId)).status).toBe('success');
    expect(team.max.get('x')).toBe(1);
    expect(team.max.get('y')).toBe(1);
    expect(gold.max.get('gold')).toBe(2);
  });

  it('leases pool slots per run; runs outside the pool are not held up', async () => {
    process.env.CAIRN_RUNS_SLOW_MS = '150';
    const { daemon } = await setup({ maxConcurrentRuns: 4, poolSize: 4, pools: { db: 1 } });
    const pooled = concurrencyTracker(daemon, (q) => (q.pools?.includes('db') ? 'db' : undefined));
    const slowRuns = await Promise.all([1, 2, 3].map(() => daemon.submit({ selection: 'slow' })));
    const plain = await daemon.submit({ selection: 'a' });
    expect((await daemon.waitForRun(plain.runId)).status).toBe('success');
    // The plain run finished while pooled runs were still waiting for the one slot.
    const stillQueued = await Promise.all(slowRuns.map((r) => daemon.storage.getRun(r.runId)));
    expect(stillQueued.some((r) => r?.status === 'queued')).toBe(true);
    for (const r of slowRuns) expect((await daemon.waitForRun(r.runId)).status).toBe('success');
    expect(pooled.max.get('db')).toBe(1);
  });
});

describe('cancel', () => {
  it('cancels a queued run at once and a running one through its worker', async () => {
    const { daemon, home } = await setup({ maxConcurrentRuns: 1 });
    const running = await daemon.submit({ selection: 'slow' });
    const queued = await daemon.submit({ selection: 'a' });
    await new Promise<void>((resolve) => {
      const off = daemon.onEvent(({ event }) => {
        if (event.type === 'step_started' && event.runId === running.runId) {
          off();
          resolve();
        }
      });
    });
    expect(await daemon.cancel(queued.runId)).toBe(true);
    expect((await daemon.storage.getRun(queued.runId))?.status).toBe('canceled');
    expect(await daemon.cancel(running.runId)).toBe(true);
    expect((await daemon.waitForRun(running.runId)).status).toBe('canceled');
    expect(await daemon.cancel(running.runId)).toBe(false);
    expect(calls(home, 'a')).toBe(0);
    await expect(daemon.cancel('no-such-run')).rejects.toMatchObject({ code: 'CAIRN_UNKNOWN_RUN' });
  });
});

describe('re-execution', () => {
  it('reuses the steps that materialized and runs the failed and not-run ones', async () => {
    const { daemon, home } = await setup();
    writeFileSync(join(home, 'fail-b'), '');
    const parent = await daemon.submit({ selection: ['a', 'b', 'c'] });
    expect((await daemon.waitForRun(parent.runId)).status).toBe('failure');
    expect([calls(home, 'a'), calls(home, 'b'), calls(home, 'c')]).toEqual([1, 1, 0]);
    await expect(daemon.reexecute('missing')).rejects.toMatchObject({ code: 'CAIRN_UNKNOWN_RUN' });
    rmSync(join(home, 'fail-b'));
    const child = await daemon.reexecute(parent.runId, { fromFailure: true });
    expect((await daemon.waitForRun(child.runId)).status).toBe('success');
    // a was loaded from the filesystem IO manager, not computed again.
    expect([calls(home, 'a'), calls(home, 'b'), calls(home, 'c')]).toEqual([1, 2, 1]);
    const queued = (await daemon.storage.getEventsForRun(child.runId)).records[0]?.event;
    expect(queued).toMatchObject({ type: 'run_queued', parentRunId: parent.runId });
    expect((queued as { reuseStepKeys?: string[] }).reuseStepKeys).toEqual(['a']);
  });
});

describe('asset operations', () => {
  it('records reports, wipes and dynamic partitions and reflects them in the indexes', async () => {
    const { daemon } = await setup();
    const seen: string[] = [];
    daemon.onEvent(({ event }) => seen.push(event.type));
    await daemon.reportMaterialization({ assetKey: 'ext', partitionKey: 'y', dataVersion: 'v1' });
    await daemon.reportObservation({ assetKey: 'ext_plain', dataVersion: 'obs1' });
    expect((await daemon.storage.getAssetPartition('ext', 'y'))?.partitionIndex).toBe(1);
    expect((await daemon.storage.getAssetPartition('ext_plain'))?.dataVersion).toBe('obs1');
    await expect(
      daemon.reportMaterialization({ assetKey: 'ext', partitionKey: 'zz' }),
    ).rejects.toMatchObject({ code: 'CAIRN_UNKNOWN_PARTITION' });
    await expect(daemon.reportMaterialization({ assetKey: 'ext' })).rejects.toMatchObject({
      code: 'CAIRN_PARTITION_REQUIRED',
    });
    await expect(daemon.reportObservation({ assetKey: 'nope' })).rejects.toMatchObject({
      code: 'CAIRN_UNKNOWN_ASSET',
    });
    await daemon.wipe('ext', ['y']);
    expect(await daemon.storage.getAssetPartition('ext', 'y')).toBeUndefined();

    await daemon.addDynamicPartitions('regions', ['eu', 'us', 'apac']);
    expect(daemon.storage.getDynamicPartitionKeys('regions')).toEqual(['eu', 'us', 'apac']);
    const { runId } = await daemon.submit({ selection: 'by_region', partitionKey: 'apac' });
    expect((await daemon.waitForRun(runId)).status).toBe('success');
    let status = await daemon.storage.getPartitionStatus('by_region');
    expect(status.ranges).toEqual([{ startIndex: 2, endIndex: 3, status: 'materialized' }]);
    await daemon.removeDynamicPartitions('regions', ['eu']);
    status = await daemon.storage.getPartitionStatus('by_region');
    expect(status.ranges).toEqual([{ startIndex: 1, endIndex: 2, status: 'materialized' }]);
    expect(seen).toEqual(
      expect.arrayContaining([
        'materialization',
        'asset_observation',
        'asset_wiped',
        'dynamic_partitions_added',
        'dynamic_partitions_removed',
      ]),
    );
  });
});
