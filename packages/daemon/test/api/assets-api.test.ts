import { afterEach, describe, expect, it } from 'vitest';
import { enc, testApi } from './helpers.js';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups) await c();
  cleanups = [];
});

async function setup(options: Parameters<typeof testApi>[0] = {}) {
  const t = await testApi(options);
  cleanups.push(t.cleanup);
  return t;
}

describe('health, graph and assets', () => {
  it('serves health, the graph with status summaries, and filtered asset lists', async () => {
    const { app, daemon } = await setup();
    const health = await app.inject({ url: '/api/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok', version: expect.any(String) });

    const { runId } = await daemon.submit({ selection: ['shop/raw_orders', 'shop/orders'] });
    await daemon.waitForRun(runId);
    await daemon.reportMaterialization({ assetKey: 'ext', partitionKey: 'x' });

    const graph = await app.inject({ url: '/api/graph' });
    expect(graph.statusCode).toBe(200);
    const body = graph.json();
    expect(body.nodes.map((n: { key: string }) => n.key)).toEqual(
      expect.arrayContaining([
        'shop/raw_orders',
        'shop/orders',
        'daily',
        'by_region',
        'ext',
        'ext_plain',
      ]),
    );
    expect(body.edges).toContainEqual(
      expect.objectContaining({ from: 'shop/raw_orders', to: 'shop/orders' }),
    );
    const orders = body.nodes.find((n: { key: string }) => n.key === 'shop/orders');
    expect(orders).toMatchObject({
      group: 'shop',
      checks: ['positive'],
      status: { total: 1, materialized: 1, missing: 0 },
    });
    const ext = body.nodes.find((n: { key: string }) => n.key === 'ext');
    expect(ext.status).toMatchObject({ total: 2, materialized: 1, missing: 1 });

    const shop = await app.inject({ url: '/api/assets?group=shop' });
    expect(shop.json().assets.map((a: { key: string }) => a.key)).toEqual([
      'shop/raw_orders',
      'shop/orders',
    ]);
    const up = await app.inject({ url: `/api/assets?select=${enc('+shop/orders')}` });
    expect(up.json().assets.map((a: { key: string }) => a.key)).toEqual([
      'shop/raw_orders',
      'shop/orders',
    ]);
    const bad = await app.inject({ url: `/api/assets?select=${enc('((')}` });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('CAIRN_SELECTION_SYNTAX');

    // The graph of a selection: its nodes and only the edges between them.
    const sub = (await app.inject({ url: `/api/graph?select=${enc('+shop/orders')}` })).json();
    expect(sub.nodes.map((n: { key: string }) => n.key)).toEqual([
      'shop/raw_orders',
      'shop/orders',
    ]);
    expect(sub.edges.map((e: { from: string; to: string }) => `${e.from}>${e.to}`)).toEqual([
      'shop/raw_orders>shop/orders',
    ]);
    const one = (await app.inject({ url: `/api/graph?select=${enc('shop/orders')}` })).json();
    expect(one.nodes).toHaveLength(1);
    expect(one.edges).toEqual([]);
    const badGraph = await app.inject({ url: `/api/graph?select=${enc('((')}` });
    expect(badGraph.statusCode).toBe(400);
    expect(badGraph.json().error.code).toBe('CAIRN_SELECTION_SYNTAX');
  });

  it('serves one asset by its URL-encoded key with latest materialization and checks; 404 otherwise', async () => {
    const { app, daemon } = await setup();
    const { runId } = await daemon.submit({ selection: ['shop/raw_orders', 'shop/orders'] });
    await daemon.waitForRun(runId);
    const res = await app.inject({ url: `/api/assets/${enc('shop/orders')}` });
    expect(res.statusCode).toBe(200);
    const { asset } = res.json();
    expect(asset.key).toBe('shop/orders');
    expect(asset.latestMaterialization).toMatchObject({ runId, assetKey: 'shop/orders' });
    expect(asset.checks).toEqual([
      expect.objectContaining({
        checkId: 'shop/orders:positive',
        name: 'positive',
        severity: 'error',
        latest: expect.objectContaining({ passed: true }),
      }),
    ]);
    const missing = await app.inject({ url: `/api/assets/${enc('shop/nope')}` });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toMatchObject({
      code: 'CAIRN_UNKNOWN_ASSET',
      message: expect.stringContaining('shop/nope'),
    });
  });

  it('reports partition status as ranges with counts, filters and paging', async () => {
    const { app, daemon } = await setup();
    for (const p of ['d2', 'd3']) {
      const { runId } = await daemon.submit({ selection: 'daily', partitionKey: p });
      await daemon.waitForRun(runId);
    }
    const res = await app.inject({ url: '/api/assets/daily/partitions' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      total: 6,
      counts: { materialized: 2, failed: 0, inProgress: 0, missing: 4 },
      ranges: [
        { startIndex: 0, endIndex: 1, startKey: 'd1', endKey: 'd1', status: 'missing' },
        { startIndex: 1, endIndex: 3, startKey: 'd2', endKey: 'd3', status: 'materialized' },
        { startIndex: 3, endIndex: 6, startKey: 'd4', endKey: 'd6', status: 'missing' },
      ],
      nextOffset: null,
    });
    const onlyMat = await app.inject({ url: '/api/assets/daily/partitions?status=materialized' });
    expect(onlyMat.json().ranges).toEqual([
      { startIndex: 1, endIndex: 3, startKey: 'd2', endKey: 'd3', status: 'materialized' },
    ]);
    const paged = await app.inject({ url: '/api/assets/daily/partitions?offset=2&limit=1' });
    expect(paged.json()).toMatchObject({
      ranges: [
        { startIndex: 2, endIndex: 3, startKey: 'd3', endKey: 'd3', status: 'materialized' },
      ],
      nextOffset: 3,
    });
    const missingOnly = await app.inject({ url: '/api/assets/daily/partitions?status=missing' });
    expect(missingOnly.json().ranges.map((r: { startIndex: number }) => r.startIndex)).toEqual([
      0, 3,
    ]);
    for (const url of [
      '/api/assets/daily/partitions?status=stale',
      '/api/assets/daily/partitions?limit=0',
      '/api/assets/daily/partitions?offset=-1',
    ]) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBe(400);
      expect(r.json().error.code).toBe('CAIRN_INVALID_REQUEST');
    }
    expect((await app.inject({ url: '/api/assets/nope/partitions' })).statusCode).toBe(404);
    // The status read cache never serves status older than a write that has resolved.
    await daemon.reportMaterialization({ assetKey: 'ext', partitionKey: 'x' });
    const before = (await app.inject({ url: '/api/assets/ext/partitions' })).json();
    expect(before.counts.materialized).toBe(1);
    await daemon.reportMaterialization({ assetKey: 'ext', partitionKey: 'y' });
    const after = (await app.inject({ url: '/api/assets/ext/partitions' })).json();
    expect(after.counts.materialized).toBe(2);
    expect(after.ranges).toEqual([
      { startIndex: 0, endIndex: 2, startKey: 'x', endKey: 'y', status: 'materialized' },
    ]);
  });

  it('pages materialization history, lists checks, and 404s unknown partitions', async () => {
    const { app, daemon } = await setup();
    for (let i = 0; i < 3; i++)
      await daemon.reportMaterialization({ assetKey: 'ext', partitionKey: 'x', metadata: { i } });
    const first = await app.inject({ url: '/api/assets/ext/materializations?limit=2&partition=x' });
    expect(first.statusCode).toBe(200);
    const page1 = first.json();
    expect(page1.materializations.map((m: { metadata: { i: number } }) => m.metadata.i)).toEqual([
      2, 1,
    ]);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const second = await app.inject({
      url: `/api/assets/ext/materializations?limit=2&partition=x&cursor=${page1.nextCursor}`,
    });
    expect(
      second.json().materializations.map((m: { metadata: { i: number } }) => m.metadata.i),
    ).toEqual([0]);
    expect(second.json().nextCursor).toBeNull();
    expect(
      (await app.inject({ url: '/api/assets/ext/materializations?cursor=zzz' })).statusCode,
    ).toBe(400);
    expect(
      (await app.inject({ url: '/api/assets/ext/materializations?partition=q' })).json().error.code,
    ).toBe('CAIRN_UNKNOWN_PARTITION');
    expect(
      (await app.inject({ url: '/api/assets/ext/materializations?partition=q' })).statusCode,
    ).toBe(404);
    const checks = await app.inject({ url: `/api/assets/${enc('shop/orders')}/checks` });
    expect(checks.json()).toEqual({
      checks: [
        {
          checkId: 'shop/orders:positive',
          name: 'positive',
          severity: 'error',
          blocking: false,
          description: null,
          latest: null,
        },
      ],
    });
  });

  it('wipes, reports and manages dynamic partitions; rejects bad bodies with 400', async () => {
    const { app, daemon } = await setup();
    const report = await app.inject({
      method: 'POST',
      url: '/api/assets/ext/report',
      payload: { kind: 'materialization', partitionKey: 'y', dataVersion: 'v1' },
    });
    expect(report.statusCode).toBe(201);
    expect(report.json().eventId).toBeGreaterThan(0);
    const obs = await app.inject({
      method: 'POST',
      url: '/api/assets/ext_plain/report',
      payload: { kind: 'observation', metadata: { rows: 3 } },
    });
    expect(obs.statusCode).toBe(201);
    expect((await daemon.storage.getPartitionStatus('ext')).counts.materialized).toBe(1);
    const wipe = await app.inject({
      method: 'POST',
      url: '/api/assets/ext/wipe',
      payload: { partitionKeys: ['y'] },
    });
    expect(wipe.json()).toMatchObject({ wiped: 1 });
    expect((await daemon.storage.getPartitionStatus('ext')).counts.materialized).toBe(0);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/assets/ext/wipe',
          payload: { partitionKeys: ['zz'] },
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/assets/ext/report',
          payload: { kind: 'nope' },
        })
      ).statusCode,
    ).toBe(400);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/assets/ext/report',
          payload: { kind: 'observation' },
        })
      ).json().error.code,
    ).toBe('CAIRN_PARTITION_REQUIRED');

    const add = await app.inject({
      method: 'POST',
      url: '/api/dynamic-partitions/regions',
      payload: { add: ['eu', 'us'] },
    });
    expect(add.json()).toEqual({ name: 'regions', keys: 2 });
    const rm = await app.inject({
      method: 'POST',
      url: '/api/dynamic-partitions/regions',
      payload: { remove: ['eu'] },
    });
    expect(rm.json()).toEqual({ name: 'regions', keys: 1 });
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/dynamic-partitions/nope',
          payload: { add: ['a'] },
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (await app.inject({ method: 'POST', url: '/api/dynamic-partitions/regions', payload: {} }))
        .statusCode,
    ).toBe(400);
  });

  it('reports staleness with counts, per-partition rows and explanations', async () => {
    const { app, daemon } = await setup();
    const { runId } = await daemon.submit({ selection: 'daily', partitionKey: 'd1' });
    await daemon.waitForRun(runId);
    const res = await app.inject({ url: '/api/assets/daily/staleness?limit=2' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.counts).toMatchObject({ fresh: 1, stale: 0, missing: 5 });
    expect(body.partitions).toHaveLength(2);
    expect(body.partitions[0]).toMatchObject({ partitionKey: 'd1', status: 'fresh' });
    expect(body.nextCursor).toEqual(expect.any(String));
    const next = (
      await app.inject({ url: `/api/assets/daily/staleness?limit=2&cursor=${body.nextCursor}` })
    ).json();
    expect(next.partitions[0].partitionKey).toBe('d3');
    const one = (await app.inject({ url: '/api/assets/daily/staleness?partition=d2' })).json();
    expect(one.partitions).toEqual([
      expect.objectContaining({
        partitionKey: 'd2',
        status: 'missing',
        explanation: expect.any(String),
      }),
    ]);
    expect((await app.inject({ url: '/api/assets/daily/staleness?partition=zz' })).statusCode).toBe(
      404,
    );
    expect((await app.inject({ url: '/api/assets/daily/staleness?status=weird' })).statusCode).toBe(
      400,
    );
  });
});
