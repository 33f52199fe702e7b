import { asset } from '../../src/asset.js';
import type { AnyAssetDefinition, AssetSpecOptions, DepInput } from '../../src/asset-types.js';

/** A computed asset with ordering-only deps and any spec options. */
export function node(
  key: string,
  deps: readonly DepInput[] = [],
  spec: Partial<AssetSpecOptions> & { codeVersion?: string; io?: string } = {},
): AnyAssetDefinition {
  return asset({ ...spec, key, deps }, () => key);
}

/**
 * The shop graph used across graph and selection tests:
 *
 *   shop/raw_orders ──► shop/orders ──┐
 *                                     ├─► shop/revenue ──► finance/report
 *   shop/raw_customers ► shop/customers ┘
 *   shop/zeta (alone)
 */
export function shopAssets(): AnyAssetDefinition[] {
  const rawOrders = node('shop/raw_orders', [], {
    group: 'ingest',
    kinds: ['s3'],
    tags: { tier: 'bronze' },
    owners: ['team:data'],
  });
  const rawCustomers = node('shop/raw_customers', [], {
    group: 'ingest',
    kinds: ['s3'],
    tags: { tier: 'bronze', pii: '' },
    owners: ['alice@shop.com'],
  });
  const orders = node('shop/orders', [rawOrders], {
    group: 'core',
    kinds: ['sql'],
    tags: { tier: 'silver' },
    owners: ['team:data'],
  });
  const customers = node('shop/customers', [rawCustomers], {
    group: 'core',
    kinds: ['sql', 'python'],
    tags: { tier: 'silver', pii: 'masked' },
  });
  const revenue = node('shop/revenue', [orders, customers], {
    group: 'finance',
    kinds: ['python'],
    tags: { tier: 'gold' },
    owners: ['team:finance'],
    description: 'Revenue per day',
  });
  const report = node('finance/report', [revenue], { group: 'finance', tags: { tier: 'gold' } });
  const zeta = node('shop/zeta', [], { group: 'misc' });
  // Declared in a scrambled order on purpose: results must not depend on it.
  return [report, zeta, revenue, customers, orders, rawCustomers, rawOrders];
}

/** The stable topological order of `shopAssets()`. */
export const SHOP_ORDER = [
  'shop/raw_customers',
  'shop/customers',
  'shop/raw_orders',
  'shop/orders',
  'shop/revenue',
  'finance/report',
  'shop/zeta',
];
