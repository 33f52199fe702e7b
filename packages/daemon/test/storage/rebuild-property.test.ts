import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/storage.js';
import type { StoredEvent } from '../../src/storage/stored-event.js';
import { dumpDerived, rangeProblems, tempDb } from './helpers.js';

/**
 * Random event streams over a few runs, assets and partitions: whatever the order, the indexes
 * maintained incrementally by append must equal the indexes rebuilt by replaying the log, and the
 * ranges must be exactly the maximal runs of the partition rows.
 */

const runs = fc.constantFrom('r0', 'r1', 'r2');
const assets = fc.constantFrom('a', 'b');
const part = fc.integer({ min: 0, max: 7 });
const maybePart = fc.option(part, { nil: undefined });

function partFields(i: number | undefined, withIndex = true): Record<string, unknown> {
  if (i === undefined) return {};
  return withIndex ? { partitionKey: `p${i}`, partitionIndex: i } : { partitionKey: `p${i}` };
}

const event: fc.Arbitrary<(t: string, seq: number) => StoredEvent> = fc.oneof(
  fc.record({ run: runs }).map(({ run }) => (t: string) => ({
    type: 'run_started' as const,
    runId: run,
    stepKeys: [],
    timestamp: t,
  })),
  fc.record({ run: runs, assets: fc.subarray(['a', 'b'], { minLength: 1 }), i: maybePart }).map(
    (o) => (t: string) =>
      ({
        type: 'step_started',
        runId: o.run,
        stepKey: `s${o.i ?? ''}`,
        assetKeys: o.assets,
        timestamp: t,
        ...partFields(o.i),
      }) as StoredEvent,
  ),
  fc
    .record({
      run: fc.option(runs, { nil: undefined }),
      asset: assets,
      i: maybePart,
      idx: fc.boolean(),
    })
    .map(
      (o) => (t: string, seq: number) =>
        ({
          type: 'materialization',
          ...(o.run === undefined
            ? { reported: true }
            : { runId: o.run, stepKey: `s${o.i ?? ''}` }),
          assetKey: o.asset,
          dataVersion: `v${seq}`,
          timestamp: t,
          ...partFields(o.i, o.idx),
        }) as StoredEvent,
    ),
  fc.record({ run: runs, asset: assets, i: maybePart, aborted: fc.boolean() }).map(
    (o) => (t: string) =>
      ({
        type: 'step_failed',
        runId: o.run,
        stepKey: `s${o.i ?? ''}`,
        assetKeys: [o.asset],
        attempts: 1,
        error: { name: 'E', message: 'x', ...(o.aborted ? { code: 'CAIRN_RUN_ABORTED' } : {}) },
        timestamp: t,
        ...partFields(o.i),
      }) as StoredEvent,
  ),
  fc.record({ run: runs, asset: assets, i: maybePart }).map(
    (o) => (t: string) =>
      ({
        type: 'step_skipped',
        runId: o.run,
        stepKey: `s${o.i ?? ''}`,
        assetKeys: [o.asset],
        reason: 'upstream failed',
        timestamp: t,
        ...partFields(o.i),
      }) as StoredEvent,
  ),
  fc
    .record({ run: runs, status: fc.constantFrom('success', 'failure', 'canceled' as const) })
    .map((o) => (t: string) => ({
      type: 'run_finished' as const,
      runId: o.run,
      status: o.status,
      timestamp: t,
    })),
  runs.map((run) => (t: string) => ({ type: 'run_canceled' as const, runId: run, timestamp: t })),
  fc
    .record({
      asset: assets,
      keys: fc.option(fc.subarray([0, 1, 2, 3, 4, 5, 6, 7]), { nil: undefined }),
    })
    .map(
      (o) => (t: string) =>
        ({
          type: 'asset_wiped',
          assetKey: o.asset,
          timestamp: t,
          ...(o.keys === undefined ? {} : { partitionKeys: o.keys.map((k) => `p${k}`) }),
        }) as StoredEvent,
    ),
  fc.record({ asset: assets, i: maybePart }).map(
    (o) => (t: string, seq: number) =>
      ({
        type: 'asset_observation',
        assetKey: o.asset,
        dataVersion: `o${seq}`,
        timestamp: t,
        ...partFields(o.i),
      }) as StoredEvent,
  ),
  fc.record({ asset: assets, i: maybePart, passed: fc.boolean() }).map(
    (o) => (t: string) =>
      ({
        type: 'check_evaluation',
        assetKey: o.asset,
        checkId: `${o.asset}:c`,
        checkName: 'c',
        passed: o.passed,
        severity: 'warn',
        timestamp: t,
        ...partFields(o.i),
      }) as StoredEvent,
  ),
  fc
    .record({ add: fc.boolean(), keys: fc.subarray(['x', 'y', 'z'], { minLength: 1 }) })
    .map((o) => (t: string) => ({
      type: o.add ? ('dynamic_partitions_added' as const) : ('dynamic_partitions_removed' as const),
      name: 'dyn',
      keys: o.keys,
      timestamp: t,
    })),
);

describe('incremental indexes equal rebuilt indexes', () => {
  it('holds for random event streams appended in random batches', async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(event, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 12 }),
        async (appends) => {
          const t = tempDb();
          const storage = await openStorage({ path: t.path, maxBatchSize: 10 });
          try {
            let seq = 0;
            const queuedRun = `q${round++}`;
            const batches = appends.map((list) =>
              list.map((make) =>
                make(new Date(Date.UTC(2024, 0, 1, 0, 0, seq)).toISOString(), seq++),
              ),
            );
            batches[0]!.unshift({
              type: 'run_queued',
              runId: queuedRun,
              selection: ['a'],
              timestamp: '2024-01-01T00:00:00.000Z',
            });
            await Promise.all(batches.map((b) => storage.append(b)));
            expect(await rangeProblems(storage.db)).toEqual([]);
            const incremental = await dumpDerived(storage.db);
            const rebuilt = await storage.rebuildIndexes();
            expect(rebuilt.events).toBe(seq + 1);
            expect(await dumpDerived(storage.db)).toEqual(incremental);
            const dyn = incremental.dynamic_partitions as { key: string }[];
            expect(storage.getDynamicPartitionKeys('dyn')).toEqual(dyn.map((r) => r.key));
          } finally {
            await storage.close();
            t.cleanup();
          }
        },
      ),
      { numRuns: Number(process.env.CAIRN_PROPERTY_RUNS ?? 60) },
    );
  });
});
