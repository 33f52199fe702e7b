import fc from 'fast-check';
import type { Kysely } from 'kysely';
import { expect, it } from 'vitest';
import type { CairnDatabase } from '../../src/storage/schema.js';
import { openStorage } from '../../src/storage/storage.js';
import type { StoredEvent } from '../../src/storage/stored-event.js';
import { dumpDerived, rangeProblems, tempDb } from '../storage/helpers.js';
import { describeDialects } from './dialects.js';

/**
 * On every dialect, random event streams appended in random batches: the indexes maintained
 * incrementally equal the indexes rebuilt from the log, and the ranges are the maximal runs of
 * the partition rows. On Postgres, the derived tables also equal SQLite's for the same stream
 * (the in-memory Postgres index store mirrors the SQLite statements exactly).
 */

const runs = fc.constantFrom('r0', 'r1', 'r2');
const assets = fc.constantFrom('a', 'b');
const part = fc.integer({ min: 0, max: 7 });
const maybePart = fc.option(part, { nil: undefined });

function partFields(i: number | undefined, withIndex = true): Record<string, unknown> {
  if (i === undefined) return {};
  return withIndex ? { partitionKey: `p${i}`, partitionIndex: i } : { partitionKey: `p${i}` };
}

type Make = (t: string, seq: number) => StoredEvent;

const event: fc.Arbitrary<Make> = fc.oneof(
  runs.map(
    (run) => (t: string) =>
      ({ type: 'run_started', runId: run, stepKeys: [], timestamp: t }) as StoredEvent,
  ),
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
        error: {
          name: 'E',
          message: "it's \\ broken",
          ...(o.aborted ? { code: 'CAIRN_RUN_ABORTED' } : {}),
        },
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
    .record({
      run: runs,
      stepKey: fc.constantFrom('s', 's1', 's2'),
      attempt: fc.integer({ min: 2, max: 4 }),
    })
    .map(
      (o) => (t: string) =>
        ({
          type: 'step_retry',
          runId: o.run,
          stepKey: o.stepKey,
          attempt: o.attempt,
          timestamp: t,
        }) as StoredEvent,
    ),
  fc
    .record({ run: runs, status: fc.constantFrom('success', 'failure', 'canceled' as const) })
    .map(
      (o) => (t: string) =>
        ({ type: 'run_finished', runId: o.run, status: o.status, timestamp: t }) as StoredEvent,
    ),
  runs.map(
    (run) => (t: string) => ({ type: 'run_canceled', runId: run, timestamp: t }) as StoredEvent,
  ),
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
  fc.record({ add: fc.boolean(), keys: fc.subarray(['x', 'y', "o'q"], { minLength: 1 }) }).map(
    (o) => (t: string) =>
      ({
        type: o.add ? 'dynamic_partitions_added' : 'dynamic_partitions_removed',
        name: 'dyn',
        keys: o.keys,
        timestamp: t,
      }) as StoredEvent,
  ),
  fc.record({ cancel: fc.boolean(), retryFailed: fc.boolean() }).map(
    (o) => (t: string) =>
      (o.cancel
        ? { type: 'backfill_canceled', backfillId: 'bf', timestamp: t }
        : {
            type: 'backfill_resumed',
            backfillId: 'bf',
            retryFailed: o.retryFailed,
            timestamp: t,
          }) as StoredEvent,
  ),
);

/** The opening of every stream: a backfill of a and b over p0..p7 in 3 chunks, runs r0..r2 for them. */
function opening(): StoredEvent[] {
  const t = '2024-01-01T00:00:00.000Z';
  const keys = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, k) => `p${from + k}`);
  return [
    {
      type: 'backfill_requested',
      backfillId: 'bf',
      timestamp: t,
      selection: ['a', 'b'],
      partitions: 'all',
      chunks: [
        { group: 0, assetKeys: ['a', 'b'], partitionKeys: keys(0, 3) },
        { group: 0, assetKeys: ['a', 'b'], partitionKeys: keys(3, 6) },
        { group: 0, assetKeys: ['a', 'b'], partitionKeys: keys(6, 8) },
      ],
    },
    ...[0, 1, 2].map(
      (k) =>
        ({
          type: 'run_queued',
          runId: `r${k}`,
          selection: ['a', 'b'],
          backfillId: 'bf',
          tags: { 'cairn/backfill_chunk': String(k), 'cairn/backfill_attempt': '1' },
          timestamp: t,
        }) as StoredEvent,
    ),
  ];
}

async function dumpAll(db: Kysely<CairnDatabase>): Promise<Record<string, unknown[]>> {
  return {
    ...(await dumpDerived(db)),
    backfills: await db.selectFrom('backfills').selectAll().execute(),
    backfill_partitions: await db
      .selectFrom('backfill_partitions')
      .selectAll()
      .orderBy('asset_key')
      .orderBy('partition_key')
      .execute(),
  };
}

describeDialects('incremental indexes equal rebuilt indexes', (ctx) => {
  it('holds for random event streams appended in random batches', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(event, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 12 }),
        async (appends) => {
          let seq = 0;
          const batches = appends.map((list) =>
            list.map((make) =>
              make(new Date(Date.UTC(2024, 0, 1, 0, 0, seq)).toISOString(), seq++),
            ),
          );
          batches[0]!.unshift(...opening());
          const storage = await openStorage(await ctx.fresh({ maxBatchSize: 10 }));
          try {
            await Promise.all(batches.map((b) => storage.append(b)));
            expect(await rangeProblems(storage.db)).toEqual([]);
            const incremental = await dumpAll(storage.db);
            const rebuilt = await storage.rebuildIndexes();
            expect(rebuilt.events).toBe(seq + 4);
            expect(await dumpAll(storage.db)).toEqual(incremental);
            const dyn = incremental.dynamic_partitions as { key: string }[];
            expect(storage.getDynamicPartitionKeys('dyn')).toEqual(dyn.map((r) => r.key));
            if (ctx.dialect === 'postgres') {
              // The same stream on SQLite, appended as one batch: same derived tables.
              const t = tempDb();
              const sqlite = await openStorage({ path: t.path });
              try {
                await sqlite.append(batches.flat());
                expect(incremental).toEqual(await dumpAll(sqlite.db));
              } finally {
                await sqlite.close();
                t.cleanup();
              }
            }
          } finally {
            await storage.close();
          }
        },
      ),
      { numRuns: Number(process.env.CAIRN_PROPERTY_RUNS ?? 40) },
    );
  }, 120_000);
});
