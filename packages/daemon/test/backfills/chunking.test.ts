import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/daemon.js';
import type { RunRecord } from '../../src/storage/index.js';
import { KEYS } from './fixtures/backfill-defs.js';
import { backfillDaemon, calls, tempHome, waitForBackfill } from './helpers.js';

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function setup(options: Parameters<typeof backfillDaemon>[1] = {}) {
  const { home, cleanup } = tempHome();
  const daemon = await backfillDaemon(home, options);
  cleanups.push(cleanup, () => daemon.stop());
  return { home, daemon };
}

/** The runs of a backfill, oldest first. */
async function runsOf(daemon: Daemon, backfillId: string): Promise<RunRecord[]> {
  const { runs } = await daemon.storage.getRuns({ backfillId, limit: 1000 });
  return runs.reverse();
}

describe('backfill policies split partitions into runs', () => {
  it('multi-run (default): one run per partition with every selected asset', async () => {
    const { home, daemon } = await setup();
    const bf = await daemon.backfills.create({
      selection: ['raw', 'clean'],
      partitions: ['p004', 'p000', 'p002'],
      backfillId: 'multi',
    });
    expect(bf.chunks).toBe(3);
    const done = await waitForBackfill(daemon, 'multi');
    expect(done).toMatchObject({ state: 'completed', total: 6 });
    const runs = await runsOf(daemon, 'multi');
    expect(runs.map((r) => r.partitionKeys)).toEqual([['p000'], ['p002'], ['p004']]);
    expect(runs.map((r) => r.selection)).toEqual([
      ['raw', 'clean'],
      ['raw', 'clean'],
      ['raw', 'clean'],
    ]);
    expect(runs.map((r) => r.idempotencyKey)).toEqual([
      'backfill/multi/0/1',
      'backfill/multi/1/1',
      'backfill/multi/2/1',
    ]);
    expect(runs.every((r) => r.tags['cairn/backfill'] === 'multi')).toBe(true);
    expect(calls(home).sort()).toEqual(
      [
        ['clean', 'p000'],
        ['clean', 'p002'],
        ['clean', 'p004'],
        ['raw', 'p000'],
        ['raw', 'p002'],
        ['raw', 'p004'],
      ].sort(),
    );
  });

  it('single-run: ranges of at most maxPartitionsPerRun, or everything in one run', async () => {
    const { daemon } = await setup();
    await daemon.backfills.create({
      selection: 'ranged',
      partitions: { from: 'p000', to: 'p007' },
      backfillId: 'single',
    });
    await daemon.backfills.create({
      selection: 'wide',
      partitions: { from: 'p010', to: 'p019' },
      backfillId: 'wide',
    });
    // Mixed policies in one group: the most restrictive wins (ranged's 3 per run).
    await daemon.backfills.create({
      selection: ['ranged', 'wide'],
      partitions: ['p100', 'p101', 'p102', 'p103'],
      backfillId: 'mixed',
    });
    // A multi-run asset in the group makes it one partition per run.
    await daemon.backfills.create({
      selection: ['ranged', 'raw'],
      partitions: ['p110', 'p111'],
      backfillId: 'withmulti',
    });
    for (const id of ['single', 'wide', 'mixed', 'withmulti']) {
      expect((await waitForBackfill(daemon, id)).state).toBe('completed');
    }
    expect((await runsOf(daemon, 'single')).map((r) => r.partitionKeys)).toEqual([
      ['p000', 'p001', 'p002'],
      ['p003', 'p004', 'p005'],
      ['p006', 'p007'],
    ]);
    expect((await runsOf(daemon, 'wide')).map((r) => r.partitionKeys)).toEqual([
      KEYS.slice(10, 20),
    ]);
    expect((await runsOf(daemon, 'mixed')).map((r) => r.partitionKeys)).toEqual([
      ['p100', 'p101', 'p102'],
      ['p103'],
    ]);
    expect((await runsOf(daemon, 'withmulti')).map((r) => r.partitionKeys)).toEqual([
      ['p110'],
      ['p111'],
    ]);
  });

  it('a single-run range reports success or failure per partition, and retry-failed reruns only those', async () => {
    const { home, daemon } = await setup();
    writeFileSync(join(home, 'fail-ranged-p001'), '');
    await daemon.backfills.create({
      selection: 'ranged',
      partitions: { from: 'p000', to: 'p005' },
      backfillId: 'r',
    });
    const done = await waitForBackfill(daemon, 'r');
    expect(done.state).toBe('failed');
    const rows = await daemon.backfills.partitions('r');
    expect(rows.map((r) => `${r.partitionKey}:${r.status}`)).toEqual([
      'p000:materialized',
      'p001:failed',
      'p002:materialized',
      'p003:materialized',
      'p004:materialized',
      'p005:materialized',
    ]);
    // The same run owns the three partitions of the first range.
    expect(new Set(rows.slice(0, 3).map((r) => r.runId)).size).toBe(1);

    rmSync(join(home, 'fail-ranged-p001'));
    const retried = await daemon.backfills.retryFailed('r');
    expect(retried.passes).toBe(2);
    const final = await waitForBackfill(daemon, 'r');
    expect(final.state).toBe('completed');
    const runs = await runsOf(daemon, 'r');
    expect(runs.map((r) => r.partitionKeys)).toEqual([
      ['p000', 'p001', 'p002'],
      ['p003', 'p004', 'p005'],
      ['p001'],
    ]);
    expect(runs[2]!.idempotencyKey).toBe('backfill/r/0/2');
    expect(calls(home).filter(([a, p]) => a === 'ranged' && p === 'p001')).toHaveLength(2);
    expect(calls(home).filter(([a, p]) => a === 'ranged' && p === 'p000')).toHaveLength(1);
  });

  it('groups assets by partitions definition and runs the upstream group first', async () => {
    const { daemon } = await setup();
    const bf = await daemon.backfills.create({
      selection: ['rollup', 'hourly'],
      partitions: 'all',
      backfillId: 'mixed_defs',
    });
    expect(bf.total).toBe(48 + 2);
    const rows = await daemon.backfills.partitions('mixed_defs');
    expect(rows.slice(0, 48).every((r) => r.assetKey === 'hourly')).toBe(true);
    expect(rows.slice(48).map((r) => `${r.assetKey}[${r.partitionKey}]`)).toEqual([
      'rollup[2024-01-01]',
      'rollup[2024-01-02]',
    ]);
    expect((await waitForBackfill(daemon, 'mixed_defs')).state).toBe('completed');
    // Every hourly run ended before the first rollup run was queued.
    const runs = await runsOf(daemon, 'mixed_defs');
    const firstRollup = runs.find((r) => r.selection?.includes('rollup'))!;
    const page = await daemon.storage.getEventsAfter(0, {
      types: ['run_finished'],
      limit: 10_000,
    });
    const hourlyRuns = new Set(
      runs.filter((r) => r !== firstRollup && !r.selection?.includes('rollup')).map((r) => r.runId),
    );
    expect(hourlyRuns.size).toBe(48);
    const lastHourlyEnd = Math.max(
      ...page.records
        .filter((r) => hourlyRuns.has((r.event as { runId: string }).runId))
        .map((r) => r.id),
    );
    expect(firstRollup.createdEventId).toBeGreaterThan(lastHourlyEnd);
  });

  it('"missing" takes the partitions with no status; "failed" the failed ones', async () => {
    const { home, daemon } = await setup();
    writeFileSync(join(home, 'fail-raw-p002'), '');
    await daemon.backfills.create({
      selection: 'raw',
      partitions: ['p000', 'p001', 'p002'],
      backfillId: 'first',
    });
    await waitForBackfill(daemon, 'first');
    const missing = await daemon.backfills.create({
      selection: 'raw',
      partitions: 'missing',
      backfillId: 'missing',
      maxRunsInFlight: 1,
    });
    expect(missing.total).toBe(197);
    await daemon.backfills.cancel('missing');
    const keys = (await daemon.backfills.partitions('missing')).map((r) => r.partitionKey);
    expect(keys).toEqual(KEYS.slice(3));
    await waitForBackfill(daemon, 'missing', ['canceled']);
    const failed = await daemon.backfills.create({
      selection: 'raw',
      partitions: 'failed',
      backfillId: 'failed',
      maxRunsInFlight: 1,
    });
    expect(failed.total).toBe(1);
    expect((await daemon.backfills.partitions('failed')).map((r) => r.partitionKey)).toEqual([
      'p002',
    ]);
  });
});
