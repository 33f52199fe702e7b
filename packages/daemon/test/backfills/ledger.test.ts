import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/daemon.js';
import { isDaemonError } from '../../src/errors.js';
import { backfillDaemon, dumpLedger, tempHome, waitForBackfill } from './helpers.js';

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

async function expectInvalid(daemon: Daemon, request: unknown, match: RegExp): Promise<void> {
  const before = await daemon.storage.getLastEventId();
  const err = await daemon.backfills
    .create(request as Parameters<Daemon['backfills']['create']>[0])
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(isDaemonError(err, 'CAIRN_INVALID_BACKFILL'), String(err)).toBe(true);
  expect((err as Error).message).toMatch(match);
  // Nothing recorded.
  expect(await daemon.storage.getLastEventId()).toBe(before);
  expect(await daemon.backfills.list()).toEqual([]);
}

describe('backfill requests are validated up front', () => {
  it('refuses unknown assets, foreign keys, bad ranges, unpartitioned assets and empty sets', async () => {
    const { daemon } = await setup({ autoStart: false });
    await expectInvalid(daemon, { selection: ['nope'], partitions: ['p000'] }, /nope/);
    await expectInvalid(
      daemon,
      { selection: 'raw', partitions: ['p000', 'x1'] },
      /"x1" is not a partition of asset "raw"/,
    );
    await expectInvalid(
      daemon,
      { selection: 'raw', partitions: { from: 'p010', to: 'p001' } },
      /range "p010" to "p001"/,
    );
    await expectInvalid(
      daemon,
      { selection: ['unpartitioned'], partitions: 'all' },
      /"unpartitioned" is not partitioned/,
    );
    await expectInvalid(
      daemon,
      { selection: ['raw', 'hourly'], partitions: ['p000'] },
      /"p000" is not a partition of asset "hourly"/,
    );
    await expectInvalid(daemon, { selection: 'raw', partitions: 'some' }, /partitions/);
    await expectInvalid(daemon, { selection: 'raw', partitions: [] }, /partitions/);
    await expectInvalid(daemon, { selection: 'raw', partitions: 'failed' }, /selects no partition/);
  });

  it('refuses a second backfill with the same id, and unknown ids', async () => {
    const { daemon } = await setup({ autoStart: false });
    await daemon.backfills.create({ selection: 'raw', partitions: ['p000'], backfillId: 'one' });
    await expect(
      daemon.backfills.create({ selection: 'raw', partitions: ['p001'], backfillId: 'one' }),
    ).rejects.toMatchObject({ code: 'CAIRN_BACKFILL_EXISTS' });
    await expect(daemon.backfills.cancel('two')).rejects.toMatchObject({
      code: 'CAIRN_UNKNOWN_BACKFILL',
    });
  });
});

describe('the ledger', () => {
  it('records one requested row per asset partition, in request order', async () => {
    const { daemon } = await setup({ autoStart: false });
    const status = await daemon.backfills.create({
      selection: ['clean', 'raw'],
      partitions: ['p002', 'p000', 'p001'],
      backfillId: 'bf1',
    });
    expect(status).toMatchObject({ state: 'requested', total: 6, chunks: 3, passes: 1 });
    expect(status.counts.requested).toBe(6);
    expect(status.assets).toEqual({
      raw: { requested: 3, in_progress: 0, materialized: 0, failed: 0, canceled: 0 },
      clean: { requested: 3, in_progress: 0, materialized: 0, failed: 0, canceled: 0 },
    });
    const rows = await daemon.backfills.partitions('bf1');
    expect(rows.map((r) => `${r.chunk}:${r.assetKey}[${r.partitionKey}]`)).toEqual([
      '0:raw[p000]',
      '0:clean[p000]',
      '1:raw[p001]',
      '1:clean[p001]',
      '2:raw[p002]',
      '2:clean[p002]',
    ]);
  });

  it('maintained in the append transactions equals the ledger rebuilt from the log', async () => {
    const { home, daemon } = await setup();
    writeFileSync(join(home, 'fail-raw-p003'), '');
    writeFileSync(join(home, 'fail-ranged-p007'), '');
    const a = await daemon.backfills.create({
      selection: ['raw', 'clean'],
      partitions: { from: 'p000', to: 'p005' },
    });
    const b = await daemon.backfills.create({
      selection: 'ranged',
      partitions: { from: 'p005', to: 'p012' },
    });
    const doneA = await waitForBackfill(daemon, a.backfillId);
    const doneB = await waitForBackfill(daemon, b.backfillId);
    expect(doneA.counts).toMatchObject({ materialized: 10, failed: 2 }); // raw + clean of p003
    expect(doneB.counts).toMatchObject({ materialized: 7, failed: 1 });
    const c = await daemon.backfills.create({ selection: 'raw', partitions: 'failed' });
    expect(c.total).toBe(1);
    await daemon.backfills.cancel(c.backfillId);
    await waitForBackfill(daemon, c.backfillId, ['canceled']);
    await daemon.storage.flush();
    const incremental = await dumpLedger(daemon.storage.db);
    expect(incremental.rows.length).toBe(12 + 8 + 1);
    await daemon.storage.rebuildIndexes();
    expect(await dumpLedger(daemon.storage.db)).toEqual(incremental);
  });
});
