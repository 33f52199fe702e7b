import { describe, expect, it } from 'vitest';
import { CairnError } from '../../src/errors.js';
import { AssetGraph } from '../../src/graph/index.js';
import { matchesKeyPattern, selectAssets } from '../../src/selection/index.js';
import { node, SHOP_ORDER, shopAssets } from '../graph/fixtures.js';

const graph = new AssetGraph(shopAssets());
const select = (text: string) => selectAssets(graph, text);

describe('selectAssets: keys and filters', () => {
  it.each([
    ['shop/orders', ['shop/orders']],
    ['"shop/orders"', ['shop/orders']],
    ['key:shop/orders', ['shop/orders']],
    ['key:"shop/orders"', ['shop/orders']],
    [
      'key:shop/*',
      [
        'shop/raw_customers',
        'shop/customers',
        'shop/raw_orders',
        'shop/orders',
        'shop/revenue',
        'shop/zeta',
      ],
    ],
    ['key:shop/raw*', ['shop/raw_customers', 'shop/raw_orders']],
    ['key:*/orders', ['shop/orders']],
    ['key:*r*s', ['shop/raw_customers', 'shop/customers', 'shop/raw_orders', 'shop/orders']],
    ['shop/*s', ['shop/raw_customers', 'shop/customers', 'shop/raw_orders', 'shop/orders']],
    ['key:warehouse/*', []],
    ['*', SHOP_ORDER],
    ['key:*', SHOP_ORDER],
    ['group:finance', ['shop/revenue', 'finance/report']],
    ['group:nope', []],
    ['tag:tier=gold', ['shop/revenue', 'finance/report']],
    ['tag:"tier"="silver"', ['shop/customers', 'shop/orders']],
    ['tag:pii', ['shop/raw_customers', 'shop/customers']],
    ['tag:pii=masked', ['shop/customers']],
    ['tag:pii=""', ['shop/raw_customers']],
    ['kind:sql', ['shop/customers', 'shop/orders']],
    ['kind:python', ['shop/customers', 'shop/revenue']],
    ['owner:team:data', ['shop/raw_orders', 'shop/orders']],
    ['owner:alice@shop.com', ['shop/raw_customers']],
    ['OWNER:"team:finance"', ['shop/revenue']],
  ])('%s', (text, expected) => {
    expect(select(text)).toEqual(expected);
  });
});

describe('selectAssets: traversals', () => {
  it.each([
    [
      '+shop/revenue',
      ['shop/raw_customers', 'shop/customers', 'shop/raw_orders', 'shop/orders', 'shop/revenue'],
    ],
    ['1+shop/revenue', ['shop/customers', 'shop/orders', 'shop/revenue']],
    ['0+shop/revenue', ['shop/revenue']],
    ['shop/raw_orders+', ['shop/raw_orders', 'shop/orders', 'shop/revenue', 'finance/report']],
    ['shop/raw_orders+1', ['shop/raw_orders', 'shop/orders']],
    ['shop/raw_orders+2', ['shop/raw_orders', 'shop/orders', 'shop/revenue']],
    ['+shop/orders+', ['shop/raw_orders', 'shop/orders', 'shop/revenue', 'finance/report']],
    ['1+shop/orders+1', ['shop/raw_orders', 'shop/orders', 'shop/revenue']],
    ['+group:core', ['shop/raw_customers', 'shop/customers', 'shop/raw_orders', 'shop/orders']],
    ['group:ingest+1', ['shop/raw_customers', 'shop/customers', 'shop/raw_orders', 'shop/orders']],
    ['+shop/zeta+', ['shop/zeta']],
  ])('%s', (text, expected) => {
    expect(select(text)).toEqual(expected);
  });

  it('selects the assets on the path between two assets', () => {
    expect(select('shop/raw_orders+ and +finance/report')).toEqual([
      'shop/raw_orders',
      'shop/orders',
      'shop/revenue',
      'finance/report',
    ]);
  });
});

describe('selectAssets: operators and functions', () => {
  it.each([
    // or(ingest, and(sql, not pii))
    [
      'group:ingest or kind:sql and not tag:pii',
      ['shop/raw_customers', 'shop/raw_orders', 'shop/orders'],
    ],
    ['(group:ingest or kind:sql) and not tag:pii', ['shop/raw_orders', 'shop/orders']],
    ['not group:core and not group:ingest', ['shop/revenue', 'finance/report', 'shop/zeta']],
    ['NOT key:shop/* Or group:misc', ['finance/report', 'shop/zeta']],
    ['not not group:misc', ['shop/zeta']],
    ['group:core AND kind:python', ['shop/customers']],
    ['roots(+shop/revenue)', ['shop/raw_customers', 'shop/raw_orders']],
    ['roots(group:core)', ['shop/customers', 'shop/orders']],
    ['sinks(key:shop/*)', ['shop/revenue', 'shop/zeta']],
    ['sinks(*)', ['finance/report', 'shop/zeta']],
    ['roots(*)', ['shop/raw_customers', 'shop/raw_orders', 'shop/zeta']],
    [
      '+roots(group:finance)',
      ['shop/raw_customers', 'shop/customers', 'shop/raw_orders', 'shop/orders', 'shop/revenue'],
    ],
    ['sinks(+shop/orders) or shop/zeta', ['shop/orders', 'shop/zeta']],
  ])('%s', (text, expected) => {
    expect(select(text)).toEqual(expected);
  });
});

describe('selectAssets: errors', () => {
  it('rejects an unknown key without a wildcard, naming close matches', () => {
    let err: unknown;
    try {
      select('+shop/order');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CairnError);
    const e = err as CairnError;
    expect(e.code).toBe('CAIRN_UNKNOWN_ASSET');
    expect(e.message).toContain('No asset has the key "shop/order". Did you mean "shop/orders"?');
    expect(e.details).toEqual({ key: 'shop/order', closeMatches: ['shop/orders'] });
  });

  it('rejects syntax errors before evaluating', () => {
    expect(() => select('group:finance and')).toThrowError(
      expect.objectContaining({ code: 'CAIRN_SELECTION_SYNTAX' }),
    );
  });
});

describe('selectAssets on a large graph', () => {
  it('selects the ancestors of a sink among 10,000 assets', () => {
    const assets = [];
    for (let layer = 0; layer < 200; layer++) {
      for (let i = 0; i < 50; i++) {
        const deps = layer === 0 ? [] : [`l${layer - 1}/a${i}`, `l${layer - 1}/a${(i + 1) % 50}`];
        assets.push(node(`l${layer}/a${i}`, deps));
      }
    }
    const big = new AssetGraph(assets);
    const selected = selectAssets(big, '+l199/a0');
    expect(selected).toHaveLength(8775);
    expect(selected[selected.length - 1]).toBe('l199/a0');
    expect(selectAssets(big, 'key:l3/*')).toHaveLength(50);
  });
});

describe('matchesKeyPattern', () => {
  it('matches * within and across segments and escapes everything else', () => {
    expect(matchesKeyPattern('shop/*', 'shop/a/b')).toBe(true);
    expect(matchesKeyPattern('s*p/x', 'shop/x')).toBe(true);
    expect(matchesKeyPattern('shop/x', 'shop/xy')).toBe(false);
    expect(matchesKeyPattern('a.b', 'axb')).toBe(false);
    expect(matchesKeyPattern('*', '')).toBe(true);
  });
});
