import { describe, expect, it } from 'vitest';
import { closeMatches, levenshtein } from '../../src/graph/index.js';

describe('levenshtein', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(levenshtein('', 'abc')).toBe(3);
    expect(levenshtein('abc', '')).toBe(3);
    expect(levenshtein('same', 'same')).toBe(0);
    expect(levenshtein('shop/order', 'shop/orders')).toBe(1);
  });
});

describe('closeMatches', () => {
  const keys = ['shop/orders', 'shop/order_items', 'shop/customers', 'finance/orders', 'x'];

  it('returns the closest keys first, at most three', () => {
    expect(closeMatches('shop/order', keys)).toEqual(['shop/orders']);
    expect(closeMatches('shop/orderz', keys)).toEqual(['shop/orders']);
  });

  it('matches a key with the same last segment under another prefix', () => {
    expect(closeMatches('orders', keys)).toEqual(['finance/orders', 'shop/orders']);
  });

  it('is case-insensitive and returns nothing for unrelated input', () => {
    expect(closeMatches('SHOP/ORDERS', keys)).toEqual(['shop/orders', 'finance/orders']);
    expect(closeMatches('warehouse/inventory', keys)).toEqual([]);
  });

  it('respects the limit', () => {
    expect(closeMatches('a', ['b', 'c', 'd', 'e'], 2)).toEqual(['b', 'c']);
  });
});
