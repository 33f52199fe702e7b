import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  asset,
  assetCheck,
  definitions,
  filesystemIOManager,
  manualClock,
  staticPartitions,
} from '@cairn/core';
import { afterEach, describe, expect, it } from 'vitest';
import { runStoredChecks } from '../../src/checks/index.js';
import { openStorage, type Storage } from '../../src/storage/index.js';

const homes: string[] = [];
const open: Storage[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

const orders = asset({ key: 'shop/orders' }, () => [{ total: 3 }, { total: -1 }]);
const daily = asset({ key: 'daily', partitions: staticPartitions(['p1', 'p2', 'p3']) }, () => 1);
const calls: string[] = [];
const positive = assetCheck({ asset: orders, name: 'positive', blocking: true }, async (ctx) => {
  const rows = await ctx.loadValue();
  calls.push(
    `positive:${ctx.history.latestMaterialization('shop/orders', undefined)?.dataVersion}`,
  );
  return { passed: rows.every((r) => r.total > 0), metadata: { rows: rows.length } };
});
const throws = assetCheck({ asset: orders, name: 'throws', severity: 'warn' }, () => {
  throw new Error('boom');
});
const dailyCheck = assetCheck({ asset: daily, name: 'one' }, async (ctx) => {
  calls.push(`daily:${ctx.partitionKey}`);
  return { passed: (await ctx.loadValue()) === 1 };
});
const defs = definitions({ assets: [orders, daily], checks: [positive, throws, dailyCheck] });

async function setUp(): Promise<{ home: string; storage: Storage }> {
  const home = mkdtempSync(join(tmpdir(), 'cairn-checks-'));
  homes.push(home);
  const storage = await openStorage({ path: join(home, 'cairn.db') });
  open.push(storage);
  const io = filesystemIOManager({ baseDir: join(home, 'storage') });
  const t = '2024-01-01T00:00:00.000Z';
  await io.store({ assetKey: 'shop/orders', partitionKey: undefined, runId: 'r' }, [
    { total: 3 },
    { total: -1 },
  ]);
  await storage.append([
    {
      type: 'materialization',
      assetKey: 'shop/orders',
      timestamp: t,
      reported: true,
      dataVersion: 'v1',
    },
  ]);
  for (const p of ['p1', 'p3']) {
    await io.store({ assetKey: 'daily', partitionKey: p, runId: 'r' }, 1);
    await storage.append([
      {
        type: 'materialization',
        assetKey: 'daily',
        partitionKey: p,
        partitionIndex: p === 'p1' ? 0 : 2,
        timestamp: t,
        reported: true,
        dataVersion: 'v1',
      },
    ]);
  }
  return { home, storage };
}

describe('runStoredChecks', () => {
  it('runs only the selected checks against stored values and records the evaluations', async () => {
    const { home, storage } = await setUp();
    calls.length = 0;
    const evaluations = await runStoredChecks({
      definitions: defs,
      storage,
      home,
      selection: 'shop/orders',
      clock: manualClock(new Date('2024-02-01T00:00:00Z')),
    });
    expect(evaluations.map((e) => [e.checkId, e.passed, e.severity])).toEqual([
      ['shop/orders:positive', false, 'error'],
      ['shop/orders:throws', false, 'warn'],
    ]);
    expect(evaluations[0]!.metadata).toEqual({ rows: 2 });
    expect(evaluations[1]!.description).toContain('boom');
    expect(calls).toEqual(['positive:v1']);
    const stored = await storage.getCheckResults({ assetKey: 'shop/orders' });
    expect(stored.map((r) => [r.checkId, r.passed, r.runId]).sort()).toEqual([
      ['shop/orders:positive', false, null],
      ['shop/orders:throws', false, null],
    ]);
  });

  it('checks every materialized partition by default, or exactly the requested ones', async () => {
    const { home, storage } = await setUp();
    calls.length = 0;
    const all = await runStoredChecks({ definitions: defs, storage, home, selection: 'daily' });
    expect(all.map((e) => [e.partitionKey, e.passed])).toEqual([
      ['p1', true],
      ['p3', true],
    ]);
    const some = await runStoredChecks({
      definitions: defs,
      storage,
      home,
      selection: 'daily',
      partitionKeys: ['p2'],
    });
    // p2 has no stored value: its check runs (it was asked for) and fails on the missing value.
    expect(some.map((e) => [e.partitionKey, e.passed])).toEqual([['p2', false]]);
    const range = await runStoredChecks({
      definitions: defs,
      storage,
      home,
      selection: 'daily',
      range: { from: 'p2', to: 'p3' },
    });
    expect(range.map((e) => e.partitionKey)).toEqual(['p2', 'p3']);
  });

  it('rejects an unknown partition with CAIRN_INVALID_OPTIONS, before running anything', async () => {
    const { home, storage } = await setUp();
    await expect(
      runStoredChecks({
        definitions: defs,
        storage,
        home,
        selection: 'daily',
        partitionKeys: ['zz'],
      }),
    ).rejects.toMatchObject({ code: 'CAIRN_INVALID_OPTIONS' });
    expect(await storage.getCheckResults({ assetKey: 'daily' })).toEqual([]);
  });
});
