import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStorage, type Storage } from '../../src/storage/storage.js';
import type { StoredEvent } from '../../src/storage/stored-event.js';
import { dumpDerived, mat, rangeProblems, tempDb, ts } from './helpers.js';

let storage: Storage;
let cleanup: () => void;
beforeEach(async () => {
  const t = tempDb();
  cleanup = t.cleanup;
  storage = await openStorage({ path: t.path });
});
afterEach(async () => {
  expect(await rangeProblems(storage.db)).toEqual([]);
  // Every test's final state must equal a replay of its log.
  const incremental = await dumpDerived(storage.db);
  await storage.rebuildIndexes();
  expect(await dumpDerived(storage.db)).toEqual(incremental);
  await storage.close();
  cleanup();
});

function started(runId: string, asset: string, i: number): StoredEvent {
  return {
    type: 'step_started',
    runId,
    stepKey: `${asset}[p${i}]`,
    assetKeys: [asset],
    partitionKey: `p${i}`,
    partitionIndex: i,
    timestamp: ts(),
  };
}

function failed(runId: string, asset: string, i: number, code?: string): StoredEvent {
  return {
    type: 'step_failed',
    runId,
    stepKey: `${asset}[p${i}]`,
    assetKeys: [asset],
    partitionKey: `p${i}`,
    partitionIndex: i,
    attempts: 1,
    error: { name: 'Error', message: 'boom', stack: '', ...(code ? { code } : {}) },
    timestamp: ts(),
  };
}

async function ranges(asset: string): Promise<[number, number, string][]> {
  const page = await storage.getPartitionStatus(asset);
  return page.ranges.map((r) => [r.startIndex, r.endIndex, r.status]);
}

describe('partition status ranges', () => {
  it('a backfill in order keeps one range; failures and retries split and merge it', async () => {
    await storage.append(Array.from({ length: 100 }, (_, i) => mat('a', i)));
    expect(await ranges('a')).toEqual([[0, 100, 'materialized']]);
    await storage.append([started('r2', 'a', 40), started('r2', 'a', 41)]);
    expect(await ranges('a')).toEqual([
      [0, 40, 'materialized'],
      [40, 42, 'in_progress'],
      [42, 100, 'materialized'],
    ]);
    await storage.append([failed('r2', 'a', 41)]);
    expect(await ranges('a')).toEqual([
      [0, 40, 'materialized'],
      [40, 41, 'in_progress'],
      [41, 42, 'failed'],
      [42, 100, 'materialized'],
    ]);
    await storage.append([mat('a', 40, { runId: 'r2' })]);
    expect(await ranges('a')).toEqual([
      [0, 41, 'materialized'],
      [41, 42, 'failed'],
      [42, 100, 'materialized'],
    ]);
    const page = await storage.getPartitionStatus('a', { totalPartitions: 150 });
    expect(page.counts).toEqual({ materialized: 99, failed: 1, in_progress: 0, missing: 50 });
    await storage.append([mat('a', 41)]);
    expect(await ranges('a')).toEqual([[0, 100, 'materialized']]);
  });

  it('pages ranges by start index, optionally by status', async () => {
    // 0..59 alternating: materialized on even, failed on odd.
    const events: StoredEvent[] = [];
    for (let i = 0; i < 60; i++) {
      events.push(i % 2 === 0 ? mat('b', i) : failed('r1', 'b', i));
    }
    await storage.append(events);
    const first = await storage.getPartitionStatus('b', { limit: 25 });
    expect(first.ranges).toHaveLength(25);
    expect(first.nextCursor).toBe(25);
    expect(first.counts).toEqual({ materialized: 30, failed: 30, in_progress: 0 });
    const second = await storage.getPartitionStatus('b', {
      limit: 25,
      fromIndex: first.nextCursor,
    });
    expect(second.ranges[0]).toEqual({ startIndex: 25, endIndex: 26, status: 'failed' });
    const third = await storage.getPartitionStatus('b', {
      limit: 25,
      fromIndex: second.nextCursor,
    });
    expect(third.ranges).toHaveLength(10);
    expect(third.nextCursor).toBeUndefined();
    const failedOnly = await storage.getPartitionStatus('b', { status: 'failed', limit: 3 });
    expect(failedOnly.ranges.map((r) => r.startIndex)).toEqual([1, 3, 5]);
    const next = await storage.getPartitionStatus('b', {
      status: 'failed',
      limit: 3,
      fromIndex: failedOnly.nextCursor,
    });
    expect(next.ranges.map((r) => r.startIndex)).toEqual([7, 9, 11]);
  });

  it('a canceled run returns its in-progress partitions to their previous status', async () => {
    await storage.append([mat('c', 0), failed('r0', 'c', 1)]);
    await storage.append([
      { type: 'run_started', runId: 'r9', stepKeys: ['c[p0]', 'c[p1]', 'c[p2]'], timestamp: ts() },
      started('r9', 'c', 0),
      started('r9', 'c', 1),
      started('r9', 'c', 2),
    ]);
    expect(await ranges('c')).toEqual([[0, 3, 'in_progress']]);
    // p2's step was stopped by the cancellation itself: it returns to missing at once.
    await storage.append([failed('r9', 'c', 2, 'CAIRN_RUN_ABORTED')]);
    expect(await ranges('c')).toEqual([[0, 2, 'in_progress']]);
    await storage.append([{ type: 'run_canceled', runId: 'r9', timestamp: ts() }]);
    expect(await ranges('c')).toEqual([
      [0, 1, 'materialized'],
      [1, 2, 'failed'],
    ]);
    expect((await storage.getAssetPartition('c', 'p0'))?.status).toBe('materialized');
    expect((await storage.getAssetPartition('c', 'p2'))?.status).toBe('missing');
    const run = await storage.getRun('r9');
    expect(run?.status).toBe('canceled');
    const steps = await storage.getSteps('r9');
    expect(steps.map((s) => [s.stepKey, s.status])).toEqual([
      ['c[p0]', 'canceled'],
      ['c[p1]', 'canceled'],
      ['c[p2]', 'canceled'],
    ]);
  });

  it('a run finishing with failure leaves no in-progress partition behind', async () => {
    await storage.append([
      started('r3', 'd', 5),
      started('r3', 'd', 6),
      mat('d', 5, { runId: 'r3' }),
    ]);
    await storage.append([
      {
        type: 'run_finished',
        runId: 'r3',
        status: 'failure',
        timestamp: ts(),
        durationMs: 12,
        counts: { steps: 2 },
      },
    ]);
    expect(await ranges('d')).toEqual([[5, 6, 'materialized']]);
    const steps = await storage.getSteps('r3');
    expect(steps.map((s) => [s.stepKey, s.status, s.materializations])).toEqual([
      ['d[p5]', 'succeeded', 1],
      ['d[p6]', 'canceled', 0],
    ]);
    const run = await storage.getRun('r3');
    expect(run).toMatchObject({ status: 'failure', durationMs: 12, counts: { steps: 2 } });
  });

  it('wipes partitions or a whole asset', async () => {
    await storage.append([mat('e', 0), mat('e', 1), mat('e', 2)]);
    await storage.append([
      { type: 'asset_wiped', assetKey: 'e', partitionKeys: ['p1', 'p9'], timestamp: ts() },
    ]);
    expect(await ranges('e')).toEqual([
      [0, 1, 'materialized'],
      [2, 3, 'materialized'],
    ]);
    expect(await storage.getLatestMaterialization('e', 'p1')).toBeUndefined();
    expect((await storage.getLatestMaterialization('e', 'p2'))?.id).toBe(3);
    await storage.append([{ type: 'asset_wiped', assetKey: 'e', timestamp: ts() }]);
    expect(await ranges('e')).toEqual([]);
    expect((await storage.getPartitionStatus('e')).counts).toEqual({
      materialized: 0,
      failed: 0,
      in_progress: 0,
    });
    // The log is append-only: history still shows the wiped materializations.
    expect((await storage.getMaterializationHistory('e')).records).toHaveLength(3);
  });

  it("rebuilds an asset's ranges when its partitions definition changes", async () => {
    await storage.append([mat('f', 0), mat('f', 1), failed('r1', 'f', 2)]);
    // The definition now lists the keys in reverse and dropped p1.
    const order = ['p2', 'x', 'p0'];
    const result = await storage.rebuildPartitionRanges('f', (key) => order.indexOf(key));
    expect(result).toEqual({ partitions: 3, ranges: 2 });
    expect(await ranges('f')).toEqual([
      [0, 1, 'failed'],
      [2, 3, 'materialized'],
    ]);
    expect((await storage.getAssetPartition('f', 'p1'))?.partitionIndex).toBeNull();
    // Clean up so the after-each rebuild check compares like with like: replay uses the
    // indexes carried by the events, which this test deliberately changed.
    await storage.rebuildPartitionRanges('f', (key) => Number(key.slice(1)));
  });
});

describe('latest state and reads', () => {
  it('tracks the latest materialization, observation and history of an unpartitioned asset', async () => {
    const base = {
      type: 'materialization' as const,
      assetKey: 'shop/orders',
      metadata: { rows: 3 },
      inputDataVersions: {},
      depKeys: [],
    };
    const ids = await storage.append([
      {
        ...base,
        runId: 'r1',
        stepKey: 'shop/orders',
        dataVersion: 'v1',
        codeVersion: 'c1',
        timestamp: ts(),
      },
      { ...base, runId: 'r2', stepKey: 'shop/orders', dataVersion: 'v2', timestamp: ts() },
      {
        type: 'materialization',
        assetKey: 'ext',
        reported: true,
        dataVersion: 'e1',
        timestamp: ts(),
      },
      { type: 'asset_observation', assetKey: 'ext2', dataVersion: 'o1', timestamp: ts() },
    ]);
    expect(ids).toEqual([1, 2, 3, 4]);
    const latest = await storage.getLatestMaterialization('shop/orders');
    expect(latest?.id).toBe(2);
    expect(latest?.event).toMatchObject({ dataVersion: 'v2', runId: 'r2' });
    expect(await storage.getAssetPartition('shop/orders')).toEqual({
      assetKey: 'shop/orders',
      partitionIndex: null,
      status: 'materialized',
      lastMaterializationEventId: 2,
      lastObservationEventId: null,
      dataVersion: 'v2',
      codeVersion: null,
      runId: 'r2',
      updatedAt: (latest!.event as { timestamp: string }).timestamp,
    });
    expect((await storage.getAssetPartition('ext'))?.status).toBe('materialized');
    expect(await storage.getAssetPartition('ext2')).toMatchObject({
      status: 'missing',
      dataVersion: 'o1',
      lastObservationEventId: 4,
    });
    const history = await storage.getMaterializationHistory('shop/orders', { limit: 1 });
    expect(history.records.map((r) => r.id)).toEqual([2]);
    const older = await storage.getMaterializationHistory('shop/orders', {
      limit: 1,
      beforeId: history.nextCursor,
    });
    expect(older.records.map((r) => r.id)).toEqual([1]);
  });

  it('keeps the latest check result per check and partition', async () => {
    const check = (passed: boolean, partitionKey?: string): StoredEvent => ({
      type: 'check_evaluation',
      runId: 'r1',
      stepKey: 's',
      assetKey: 'a',
      checkId: 'a:not_empty',
      checkName: 'not_empty',
      passed,
      severity: 'error',
      blocking: true,
      metadata: {},
      timestamp: ts(),
      ...(partitionKey ? { partitionKey } : {}),
    });
    await storage.append([check(false), check(true), check(false, 'p1')]);
    const results = await storage.getCheckResults({ assetKey: 'a' });
    expect(results.map((r) => [r.partitionKey, r.passed, r.eventId, r.blocking])).toEqual([
      [undefined, true, 2, true],
      ['p1', false, 3, true],
    ]);
    expect(await storage.getCheckResults({ checkId: 'a:other' })).toEqual([]);
  });

  it('tracks queued, started and finished runs with their steps', async () => {
    await storage.append([
      {
        type: 'run_queued',
        runId: 'q1',
        selection: 'shop/*',
        partitionKeys: ['2024-01-01'],
        tags: { team: 'data' },
        priority: 5,
        idempotencyKey: 'k1',
        backfillId: 'b1',
        timestamp: '2024-01-01T00:00:00.000Z',
      },
      { type: 'run_queued', runId: 'q2', selection: ['a'], timestamp: '2024-01-01T00:00:01.000Z' },
    ]);
    await storage.append([
      { type: 'run_started', runId: 'q1', stepKeys: ['a'], timestamp: '2024-01-01T00:01:00.000Z' },
      { type: 'step_started', runId: 'q1', stepKey: 'a', assetKeys: ['a'], timestamp: ts() },
      {
        type: 'step_retry',
        runId: 'q1',
        stepKey: 'a',
        attempt: 2,
        delayMs: 10,
        error: { name: 'E', message: 'm' },
        timestamp: ts(),
      },
      mat('a', 0, {
        runId: 'q1',
        stepKey: 'a',
        partitionKey: undefined,
        partitionIndex: undefined,
      }),
      {
        type: 'run_finished',
        runId: 'q1',
        status: 'success',
        timestamp: '2024-01-01T00:02:00.000Z',
      },
    ]);
    const run = await storage.getRun('q1');
    expect(run).toEqual({
      runId: 'q1',
      status: 'success',
      createdEventId: 1,
      backfillId: 'b1',
      idempotencyKey: 'k1',
      priority: 5,
      tags: { team: 'data' },
      selection: 'shop/*',
      partitionKeys: ['2024-01-01'],
      partitionRange: null,
      stepKeys: ['a'],
      counts: null,
      queuedAt: '2024-01-01T00:00:00.000Z',
      startedAt: '2024-01-01T00:01:00.000Z',
      endedAt: '2024-01-01T00:02:00.000Z',
      durationMs: null,
    });
    const steps = await storage.getSteps('q1');
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({ status: 'succeeded', attempts: 2, materializations: 1 });
    expect((await storage.getRuns({ status: 'queued' })).runs.map((r) => r.runId)).toEqual(['q2']);
    const all = await storage.getRuns({ limit: 1 });
    expect(all.runs.map((r) => r.runId)).toEqual(['q2']);
    const rest = await storage.getRuns({ limit: 1, beforeCursor: all.nextCursor });
    expect(rest.runs.map((r) => r.runId)).toEqual(['q1']);
    expect((await storage.getRuns({ backfillId: 'b1' })).runs).toHaveLength(1);
    await storage.append([{ type: 'run_canceled', runId: 'q1', timestamp: ts() }]);
    expect((await storage.getRun('q1'))?.status).toBe('success');
  });

  it('serves dynamic partition keys synchronously, in insertion order, across reopen', async () => {
    await storage.append([
      {
        type: 'dynamic_partitions_added',
        name: 'customers',
        keys: ['acme', 'globex'],
        timestamp: ts(),
      },
      {
        type: 'dynamic_partitions_added',
        name: 'customers',
        keys: ['globex', 'initech'],
        timestamp: ts(),
      },
      { type: 'dynamic_partitions_removed', name: 'customers', keys: ['acme'], timestamp: ts() },
    ]);
    expect(storage.getDynamicPartitionKeys('customers')).toEqual(['globex', 'initech']);
    expect(storage.getDynamicPartitionKeys('nobody')).toEqual([]);
    await storage.append([
      { type: 'dynamic_partitions_added', name: 'customers', keys: ['acme'], timestamp: ts() },
    ]);
    expect(storage.getDynamicPartitionKeys('customers')).toEqual(['globex', 'initech', 'acme']);
    const rows = await storage.db
      .selectFrom('dynamic_partitions')
      .select('key')
      .orderBy('position')
      .execute();
    expect(rows.map((r) => r.key)).toEqual(['globex', 'initech', 'acme']);
  });

  it('streams events after an id, filtered by type', async () => {
    await storage.append([
      mat('g', 0),
      { type: 'log', runId: 'r1', level: 'info', message: 'x', timestamp: ts() },
      mat('g', 1),
    ]);
    const page = await storage.getEventsAfter(1, { types: ['materialization'] });
    expect(page.records.map((r) => r.id)).toEqual([3]);
    expect(await storage.getLastEventId()).toBe(3);
    expect((await storage.integrityCheck()).ok).toBe(true);
  });
});
