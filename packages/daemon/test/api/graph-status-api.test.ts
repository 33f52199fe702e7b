import { afterEach, expect, it } from 'vitest';
import { StalenessService } from '../../src/staleness/staleness-service.js';
import { type DialectContext, describeDialects } from '../storage-dialects/dialects.js';
import { enc, testApi } from './helpers.js';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups) await c();
  cleanups = [];
});

/** The grouped queries are dialect-specific SQL: the same scenarios on SQLite and on Postgres. */
async function setup(ctx: DialectContext) {
  const { databaseUrl } = await ctx.fresh();
  const t = await testApi(databaseUrl === undefined ? {} : { databaseUrl });
  cleanups.push(t.cleanup);
  return t;
}

type Node = { key: string; failingChecks: string[]; status: { stale: number | null } };
const nodeOf = (nodes: Node[], key: string) => nodes.find((n) => n.key === key)!;

describeDialects('graph status: stale counts and failing checks in one query each', (ctx) => {
  it('reports status.stale by default (matching the per-asset summary) and null with stale=false', async () => {
    const { app, daemon } = await setup(ctx);
    const { runId } = await daemon.submit({ selection: ['shop/raw_orders', 'shop/orders'] });
    await daemon.waitForRun(runId);
    // A new upstream materialization with another data version makes shop/orders stale.
    await daemon.reportMaterialization({ assetKey: 'shop/raw_orders', dataVersion: 'other' });
    await daemon.storage.flush();

    const graph = (await app.inject({ url: '/api/graph' })).json() as { nodes: Node[] };
    const one = (await app.inject({ url: `/api/assets/${enc('shop/orders')}/staleness` })).json();
    expect(nodeOf(graph.nodes, 'shop/orders').status.stale).toBe(one.counts.stale);
    expect(nodeOf(graph.nodes, 'shop/orders').status.stale).toBe(1);
    expect(nodeOf(graph.nodes, 'shop/raw_orders').status.stale).toBe(0);
    expect(graph.nodes.every((n) => typeof n.status.stale === 'number')).toBe(true);

    const list = (await app.inject({ url: '/api/assets?group=shop' })).json() as {
      assets: Node[];
    };
    expect(nodeOf(list.assets, 'shop/orders').status.stale).toBe(1);
    const off = (await app.inject({ url: '/api/graph?stale=false' })).json() as { nodes: Node[] };
    expect(off.nodes.every((n) => n.status.stale === null)).toBe(true);

    // The service's grouped count agrees with its per-asset summaries.
    expect(daemon.staleness).toBeInstanceOf(StalenessService);
    const counts = await (daemon.staleness as StalenessService).staleCounts();
    expect(counts.get('shop/orders')).toBe(1);
    expect(counts.has('shop/raw_orders')).toBe(false);
  });

  it('lists the checks whose latest result failed on each node', async () => {
    const { app, daemon } = await setup(ctx);
    const failingOf = async (url: string) => {
      const body = (await app.inject({ url })).json() as { nodes?: Node[]; assets?: Node[] };
      return nodeOf(body.nodes ?? body.assets ?? [], 'shop/orders').failingChecks;
    };
    expect(await failingOf('/api/graph')).toEqual([]);

    const evaluation = (passed: boolean) => ({
      type: 'check_evaluation' as const,
      timestamp: new Date().toISOString(),
      assetKey: 'shop/orders',
      checkId: 'shop/orders:positive',
      checkName: 'positive',
      passed,
      severity: 'error' as const,
    });
    await daemon.storage.append([evaluation(false)]);
    expect(await failingOf('/api/graph')).toEqual(['positive']);
    expect(await failingOf(`/api/assets?select=${enc('shop/orders')}`)).toEqual(['positive']);
    const detail = (await app.inject({ url: `/api/assets/${enc('shop/orders')}` })).json();
    expect(detail.asset.failingChecks).toEqual(['positive']);
    const raw = (await app.inject({ url: '/api/graph' })).json() as { nodes: Node[] };
    expect(nodeOf(raw.nodes, 'shop/raw_orders').failingChecks).toEqual([]);

    // A newer passing result clears it.
    await daemon.storage.append([evaluation(true)]);
    expect(await failingOf('/api/graph')).toEqual([]);
  });
});
