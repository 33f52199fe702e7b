import { describe, expect, it } from 'vitest';
import { assetCheck } from '../../src/checks/asset-check.js';
import { CairnError } from '../../src/errors.js';
import { externalAsset } from '../../src/external-asset.js';
import { AssetGraph } from '../../src/graph/index.js';
import { node, SHOP_ORDER, shopAssets } from './fixtures.js';

function caught(fn: () => unknown): CairnError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CairnError) return err;
    throw err;
  }
  throw new Error('expected a CairnError');
}

describe('AssetGraph queries', () => {
  const graph = new AssetGraph(shopAssets());

  it('orders keys topologically with ties broken by key', () => {
    expect(graph.keys).toEqual(SHOP_ORDER);
    expect(graph.size).toBe(7);
    expect(graph.indexOf('shop/revenue')).toBe(4);
    expect(graph.indexOf('nope')).toBe(-1);
  });

  it('gives the same order whatever order assets are declared in', () => {
    const reversed = new AssetGraph([...shopAssets()].reverse());
    expect(reversed.keys).toEqual(SHOP_ORDER);
  });

  it('answers has, node and asset', () => {
    expect(graph.has('shop/orders')).toBe(true);
    expect(graph.has('shop/nope')).toBe(false);
    const n = graph.node('shop/revenue');
    expect(n.key).toBe('shop/revenue');
    expect(n.index).toBe(4);
    expect(n.asset.group).toBe('finance');
    expect(n.checks).toEqual([]);
    expect(graph.asset('shop/orders').kinds).toEqual(['sql']);
  });

  it('lists parents and children in topological order', () => {
    expect(graph.parents('shop/revenue')).toEqual(['shop/customers', 'shop/orders']);
    expect(graph.children('shop/revenue')).toEqual(['finance/report']);
    expect(graph.parents('shop/raw_orders')).toEqual([]);
    expect(graph.children('finance/report')).toEqual([]);
  });

  it('walks all ancestors and descendants, excluding the key itself', () => {
    expect(graph.upstream('finance/report')).toEqual([
      'shop/raw_customers',
      'shop/customers',
      'shop/raw_orders',
      'shop/orders',
      'shop/revenue',
    ]);
    expect(graph.downstream('shop/raw_orders')).toEqual([
      'shop/orders',
      'shop/revenue',
      'finance/report',
    ]);
    expect(graph.upstream('shop/zeta')).toEqual([]);
  });

  it('limits walks to a depth in layers', () => {
    expect(graph.upstream('finance/report', 1)).toEqual(['shop/revenue']);
    expect(graph.upstream('finance/report', 2)).toEqual([
      'shop/customers',
      'shop/orders',
      'shop/revenue',
    ]);
    expect(graph.downstream('shop/raw_customers', 2)).toEqual(['shop/customers', 'shop/revenue']);
    expect(graph.downstream('shop/raw_customers', 0)).toEqual([]);
  });

  it('finds roots, sinks and layers', () => {
    expect(graph.roots()).toEqual(['shop/raw_customers', 'shop/raw_orders', 'shop/zeta']);
    expect(graph.sinks()).toEqual(['finance/report', 'shop/zeta']);
    expect(graph.layers()).toEqual([
      ['shop/raw_customers', 'shop/raw_orders', 'shop/zeta'],
      ['shop/customers', 'shop/orders'],
      ['shop/revenue'],
      ['finance/report'],
    ]);
  });

  it('sorts arbitrary key sets topologically and drops unknown keys', () => {
    expect(graph.sortKeys(['shop/zeta', 'x', 'shop/raw_orders', 'shop/customers'])).toEqual([
      'shop/customers',
      'shop/raw_orders',
      'shop/zeta',
    ]);
  });

  it('throws CAIRN_UNKNOWN_ASSET with close matches for unknown keys', () => {
    const err = caught(() => graph.parents('shop/order'));
    expect(err.code).toBe('CAIRN_UNKNOWN_ASSET');
    expect(err.message).toContain('No asset has the key "shop/order". Did you mean "shop/orders"');
    expect(err.details.closeMatches).toEqual(['shop/orders']);
    expect(caught(() => graph.node('revenue')).details.closeMatches).toEqual(['shop/revenue']);
  });

  it('returns edges with their mapping', () => {
    const edge = graph.edge('shop/orders', 'shop/revenue');
    expect(edge?.from).toBe('shop/orders');
    expect(edge?.mapping.describe()).toEqual({ type: 'identity' });
    expect(edge?.deps.map((d) => d.inputName)).toEqual([undefined]);
    expect(graph.edge('shop/revenue', 'shop/orders')).toBeUndefined();
    expect(graph.edges().map((e) => `${e.from}>${e.to}`)).toEqual([
      'shop/raw_customers>shop/customers',
      'shop/raw_orders>shop/orders',
      'shop/customers>shop/revenue',
      'shop/orders>shop/revenue',
      'shop/revenue>finance/report',
    ]);
  });

  it('keeps one edge when an asset reads the same upstream under two input names', () => {
    const a = node('a');
    const b = node('b', [{ asset: a }, 'a']);
    const g = new AssetGraph([a, b]);
    expect(g.edges()).toHaveLength(1);
    expect(g.edge('a', 'b')?.deps).toHaveLength(2);
    expect(g.parents('b')).toEqual(['a']);
  });
});

describe('AssetGraph snapshot', () => {
  it('describes nodes and edges as plain JSON', () => {
    const source = externalAsset({
      key: 'stripe/payments',
      group: 'sources',
      owners: ['team:pay'],
    });
    const clean = node('shop/payments', [source], { codeVersion: 'v2', kinds: ['sql'] });
    const checks = [
      assetCheck({ asset: clean, name: 'not_empty' }, () => ({ passed: true })),
      assetCheck({ asset: clean, name: 'has_ids' }, () => ({ passed: true })),
      assetCheck({ asset: 'nowhere/x', name: 'ignored' }, () => ({ passed: true })),
    ];
    const graph = new AssetGraph([clean, source], { checks });
    const snap = graph.snapshot();
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
    expect(snap).toEqual({
      nodes: [
        {
          key: 'stripe/payments',
          group: 'sources',
          kinds: [],
          tags: {},
          owners: ['team:pay'],
          description: null,
          partitions: null,
          codeVersion: null,
          external: true,
          checks: [],
        },
        {
          key: 'shop/payments',
          group: 'default',
          kinds: ['sql'],
          tags: {},
          owners: [],
          description: null,
          partitions: null,
          codeVersion: 'v2',
          external: false,
          checks: ['has_ids', 'not_empty'],
        },
      ],
      edges: [{ from: 'stripe/payments', to: 'shop/payments', mapping: { type: 'identity' } }],
    });
  });
});

describe('AssetGraph validation', () => {
  it('rejects duplicate keys', () => {
    const err = caught(() => new AssetGraph([node('a/b'), node('a/b')]));
    expect(err.code).toBe('CAIRN_DUPLICATE_KEY');
    expect(err.message).toContain('"a/b" is defined twice');
    expect(err.details).toEqual({ key: 'a/b' });
  });

  it('rejects unknown dependencies naming the asset, the missing key and close matches', () => {
    const err = caught(
      () => new AssetGraph([node('shop/orders'), node('shop/revenue', ['shop/order'])]),
    );
    expect(err.code).toBe('CAIRN_UNKNOWN_DEPENDENCY');
    expect(err.message).toContain(
      'Asset "shop/revenue" depends on "shop/order", which is not among the assets passed to definitions(). Did you mean "shop/orders"?',
    );
    expect(err.details).toMatchObject({
      asset: 'shop/revenue',
      dependency: 'shop/order',
      closeMatches: ['shop/orders'],
    });
  });

  it('builds a 10,000-asset layered graph', () => {
    const assets = [];
    for (let layer = 0; layer < 200; layer++) {
      for (let i = 0; i < 50; i++) {
        const deps = layer === 0 ? [] : [`l${layer - 1}/a${i}`, `l${layer - 1}/a${(i + 1) % 50}`];
        assets.push(node(`l${layer}/a${i}`, deps));
      }
    }
    const graph = new AssetGraph(assets);
    expect(graph.size).toBe(10_000);
    expect(graph.keys[0]).toBe('l0/a0');
    expect(graph.upstream('l199/a0', 1)).toEqual(['l198/a0', 'l198/a1']);
    // Layer 199 - d holds min(50, d + 1) ancestors: 1,224 in the first 48 layers up, then 151 × 50.
    expect(graph.upstream('l199/a0')).toHaveLength(8774);
    // Its speed is measured by bench/core-definitions.ts, not here (timed tests are flaky).
  });
});
