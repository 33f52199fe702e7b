import { expect, it } from 'vitest';
import { openStorage } from '../../src/storage/storage.js';
import type { StoredEvent } from '../../src/storage/stored-event.js';
import { mat, ts } from '../storage/helpers.js';
import { describeDialects } from './dialects.js';

/** Appends, group commit and the reads, on every dialect. */

function runEvents(runId: string, assetKey: string, i: number): StoredEvent[] {
  return [
    {
      type: 'run_queued',
      runId,
      selection: [assetKey],
      timestamp: ts(),
      priority: 2,
      tags: { team: 'x' },
    },
    { type: 'run_started', runId, stepKeys: ['s'], timestamp: ts() },
    {
      type: 'step_started',
      runId,
      stepKey: 's',
      assetKeys: [assetKey],
      partitionKey: `p${i}`,
      partitionIndex: i,
      timestamp: ts(),
    },
    mat(assetKey, i, { runId, stepKey: 's' } as Partial<StoredEvent>),
    { type: 'run_finished', runId, status: 'success', timestamp: ts(), durationMs: 12 },
  ] as StoredEvent[];
}

describeDialects('append and read', (ctx) => {
  it('returns ids in order and commits appends of one tick in one transaction', async () => {
    const storage = await openStorage(await ctx.fresh());
    try {
      const appends = Array.from({ length: 20 }, (_, k) =>
        storage.append(runEvents(`r${k}`, 'a', k)),
      );
      const ids = (await Promise.all(appends)).flat();
      expect(ids).toEqual(Array.from({ length: 100 }, (_, k) => k + 1));
      expect(storage.stats()).toMatchObject({ transactions: 1, events: 100, failedBatches: 0 });
      expect(await storage.getLastEventId()).toBe(100);
      const page = await storage.getEventsForRun('r3');
      expect(page.records.map((r) => r.event.type)).toEqual([
        'run_queued',
        'run_started',
        'step_started',
        'materialization',
        'run_finished',
      ]);
      const run = await storage.getRun('r3');
      expect(run).toMatchObject({
        runId: 'r3',
        status: 'success',
        priority: 2,
        tags: { team: 'x' },
      });
      const steps = await storage.getSteps('r3');
      expect(steps).toMatchObject([{ stepKey: 's', status: 'succeeded', materializations: 1 }]);
      const state = await storage.getAssetPartition('a', 'p3');
      expect(state).toMatchObject({ status: 'materialized', dataVersion: 'dv3' });
      const latest = await storage.getLatestMaterialization('a', 'p3');
      expect(latest?.id).toBe(19);
      const status = await storage.getPartitionStatus('a');
      expect(status.ranges).toEqual([{ startIndex: 0, endIndex: 20, status: 'materialized' }]);
      expect(status.counts).toMatchObject({ materialized: 20, failed: 0, in_progress: 0 });
      const runs = await storage.getRuns({ limit: 5 });
      expect(runs.runs.map((r) => r.runId)).toEqual(['r19', 'r18', 'r17', 'r16', 'r15']);
    } finally {
      await storage.close();
    }
  });

  it('keeps state across reopen and serves the dynamic partitions cache', async () => {
    const first = await openStorage(await ctx.fresh());
    await first.append([
      { type: 'dynamic_partitions_added', name: 'dyn', keys: ['x', 'y', 'z'], timestamp: ts() },
      { type: 'dynamic_partitions_removed', name: 'dyn', keys: ['y'], timestamp: ts() },
    ]);
    expect(first.getDynamicPartitionKeys('dyn')).toEqual(['x', 'z']);
    await first.close();
    const second = await openStorage(ctx.same());
    try {
      expect(second.getDynamicPartitionKeys('dyn')).toEqual(['x', 'z']);
      expect(await second.getLastEventId()).toBe(2);
      await expect(
        second.append([{ type: 'log', timestamp: ts() } as unknown as StoredEvent]),
      ).rejects.toThrow();
    } finally {
      await second.close();
    }
  });
});
