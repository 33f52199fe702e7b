import { describe, expect, it } from 'vitest';
import { asset } from '../../src/asset.js';
import { assetCheck } from '../../src/checks/asset-check.js';
import { definitions } from '../../src/definitions.js';
import { CairnError } from '../../src/errors.js';
import { externalAsset } from '../../src/external-asset.js';
import { memoryIOManager } from '../../src/io/memory-io-manager.js';
import { multiAsset } from '../../src/multi-asset.js';
import { isResourceDefinition, resource } from '../../src/resource.js';
import { node } from '../graph/fixtures.js';

function failure(fn: () => unknown): CairnError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CairnError) return err;
    throw err;
  }
  throw new Error('expected a CairnError');
}

const ok = () => ({ passed: true });

function shop() {
  const payments = externalAsset({ key: 'stripe/payments' });
  const { customers, orders } = multiAsset(
    { outs: { customers: { key: 'crm/customers' }, orders: { key: 'crm/orders' } } },
    () => ({ customers: [], orders: [] }),
  );
  const revenue = asset(
    { key: 'shop/revenue', deps: { orders, payments }, group: 'finance' },
    ({ orders: o, payments: p }) => [o, p],
  );
  return { payments, customers, orders, revenue };
}

describe('definitions(): building', () => {
  it('flattens arrays and records of handles and orders assets topologically', () => {
    const s = shop();
    const crm = { customers: s.customers, orders: s.orders };
    const defs = definitions({ assets: [s.revenue, crm, [s.payments, s.orders]] });
    expect([...defs.assets.keys()]).toEqual([
      'crm/customers',
      'crm/orders',
      'stripe/payments',
      'shop/revenue',
    ]);
    expect(defs.kind).toBe('definitions');
    expect(defs.graph.parents('shop/revenue')).toEqual(['crm/orders', 'stripe/payments']);
    expect(defs.asset('crm/orders')).toBe(s.orders);
  });

  it('counts a handle given twice (record and single output) once', () => {
    const s = shop();
    const outputs = multiAsset({ outs: { a: { key: 'm/a' }, b: { key: 'm/b' } } }, () => ({
      a: 1,
      b: 2,
    }));
    const defs = definitions({ assets: [outputs, outputs.a, { ...outputs }, s.payments] });
    expect([...defs.assets.keys()]).toEqual(['m/a', 'm/b', 'stripe/payments']);
  });

  it('keeps checks in a stable order and groups them by asset', () => {
    const s = shop();
    const c1 = assetCheck({ asset: s.revenue, name: 'positive' }, ok);
    const c2 = assetCheck({ asset: s.revenue, name: 'not_empty' }, ok);
    const c3 = assetCheck({ asset: 'crm/orders', name: 'unique_ids' }, ok);
    const defs = definitions({ assets: [s.revenue, s.payments, s], checks: [c1, c2, c3, c1] });
    expect([...defs.checks.keys()]).toEqual([
      'crm/orders:unique_ids',
      'shop/revenue:not_empty',
      'shop/revenue:positive',
    ]);
    expect(defs.checksByAsset.get('shop/revenue')).toEqual([c2, c1]);
    expect(defs.checksByAsset.has('stripe/payments')).toBe(false);
    expect(defs.graph.node('shop/revenue').checks).toEqual(['not_empty', 'positive']);
  });

  it('wraps plain resource values and keeps resource definitions', async () => {
    const warehouse = resource({ setup: () => ({ url: 'db://x' }) });
    const defs = definitions({ resources: { warehouse, apiKey: 'secret' } });
    expect(defs.resources.warehouse).toBe(warehouse);
    expect(isResourceDefinition(defs.resources.apiKey)).toBe(true);
    const value = await defs.resources.apiKey!.setup({
      config: {},
      signal: new AbortController().signal,
    });
    expect(value).toBe('secret');
  });

  it('always has a default IO manager, and keeps the given ones', () => {
    const warehouse = memoryIOManager();
    const defs = definitions({
      assets: [node('a', [], { io: 'warehouse' })],
      ioManagers: { warehouse },
    });
    expect(Object.keys(defs.ioManagers).sort()).toEqual(['default', 'warehouse']);
    expect(defs.ioManagers.warehouse).toBe(warehouse);
    expect(typeof defs.ioManagers.default!.store).toBe('function');
    const custom = memoryIOManager();
    expect(definitions({ ioManagers: { default: custom } }).ioManagers.default).toBe(custom);
  });

  it('resolves mappings once and returns them per edge and per input', () => {
    const s = shop();
    const defs = definitions({ assets: [s.revenue, s.payments, s] });
    expect(defs.mapping('shop/revenue', 'crm/orders').type).toBe('identity');
    expect(defs.mapping('shop/revenue', 'crm/orders')).toBe(
      defs.mapping('shop/revenue', 'crm/orders', 'orders'),
    );
    const err = failure(() => defs.mapping('shop/revenue', 'crm/customers'));
    expect(err.code).toBe('CAIRN_UNKNOWN_DEPENDENCY');
    expect(err.message).toBe(
      'Asset "shop/revenue" does not depend on "crm/customers", so there is no partition mapping between them. Its dependencies are: crm/orders, stripe/payments.',
    );
    expect(failure(() => defs.mapping('shop/revenu', 'crm/orders')).code).toBe(
      'CAIRN_UNKNOWN_ASSET',
    );
  });

  it('selects with the selection syntax', () => {
    const s = shop();
    const defs = definitions({ assets: [s.revenue, s.payments, s] });
    expect(defs.select('+shop/revenue')).toEqual(['crm/orders', 'stripe/payments', 'shop/revenue']);
    expect(defs.select('group:finance or crm/customers')).toEqual([
      'crm/customers',
      'shop/revenue',
    ]);
  });

  it('names close matches for an unknown asset', () => {
    const s = shop();
    const defs = definitions({ assets: [s.revenue, s.payments, s] });
    const err = failure(() => defs.asset('shop/revenu'));
    expect(err.code).toBe('CAIRN_UNKNOWN_ASSET');
    expect(err.message).toContain(
      'No asset has the key "shop/revenu". Did you mean "shop/revenue"?',
    );
  });

  it('returns a frozen object whose maps refuse changes', () => {
    const defs = definitions({ assets: [node('a')], schedules: [{ name: 'daily' }] });
    expect(Object.isFrozen(defs)).toBe(true);
    expect(Object.isFrozen(defs.schedules)).toBe(true);
    expect(Object.isFrozen(defs.ioManagers)).toBe(true);
    expect(Object.isFrozen(defs.resources)).toBe(true);
    const assets = defs.assets as Map<string, unknown>;
    expect(() => assets.set('b', {})).toThrowError(/frozen/);
    expect(() => assets.delete('a')).toThrowError(/frozen/);
    expect(defs.assets.size).toBe(1);
    expect(defs.schedules).toEqual([{ name: 'daily' }]);
  });

  it('accepts no input at all', () => {
    const defs = definitions();
    expect(defs.assets.size).toBe(0);
    expect(defs.select('*')).toEqual([]);
  });
});

describe('definitions(): validation errors', () => {
  it('CAIRN_DUPLICATE_KEY for two assets with one key', () => {
    const err = failure(() => definitions({ assets: [node('shop/orders'), node('shop/orders')] }));
    expect(err.code).toBe('CAIRN_DUPLICATE_KEY');
    expect(err.message).toContain('Asset key "shop/orders" is defined twice');
  });

  it('CAIRN_DUPLICATE_KEY when two multi-assets declare one key', () => {
    const one = multiAsset({ outs: { x: { key: 'm/x' } } }, () => ({ x: 1 }));
    const two = multiAsset({ outs: { x: { key: 'm/x' } } }, () => ({ x: 2 }));
    const err = failure(() => definitions({ assets: [one, two] }));
    expect(err.code).toBe('CAIRN_DUPLICATE_KEY');
    expect(err.details.key).toBe('m/x');
  });

  it('CAIRN_UNKNOWN_DEPENDENCY naming the asset, the missing key and close matches', () => {
    const err = failure(() =>
      definitions({ assets: [node('shop/orders'), node('shop/revenue', ['shop/ordrs'])] }),
    );
    expect(err.code).toBe('CAIRN_UNKNOWN_DEPENDENCY');
    expect(err.message).toContain('Asset "shop/revenue" depends on "shop/ordrs"');
    expect(err.message).toContain('Did you mean "shop/orders"?');
    expect(err.details.closeMatches).toEqual(['shop/orders']);
  });

  it('CAIRN_CYCLE with the cycle path', () => {
    const err = failure(() =>
      definitions({ assets: [node('a', ['c']), node('b', ['a']), node('c', ['b'])] }),
    );
    expect(err.code).toBe('CAIRN_CYCLE');
    expect(err.message).toBe(
      'Assets form a cycle: a → b → c → a. Remove one of these dependencies.',
    );
    expect(err.details.cycle).toEqual(['a', 'b', 'c', 'a']);
  });

  it('CAIRN_UNKNOWN_CHECK_ASSET naming the check, the asset and close matches', () => {
    const check = assetCheck({ asset: 'shop/order', name: 'unique_ids' }, ok);
    const err = failure(() => definitions({ assets: [node('shop/orders')], checks: [check] }));
    expect(err.code).toBe('CAIRN_UNKNOWN_CHECK_ASSET');
    expect(err.message).toContain(
      'Check "unique_ids" is declared on asset "shop/order", which is not among the assets passed to definitions(). Did you mean "shop/orders"?',
    );
    expect(err.details).toEqual({
      check: 'shop/order:unique_ids',
      asset: 'shop/order',
      closeMatches: ['shop/orders'],
    });
  });

  it('CAIRN_DUPLICATE_CHECK for two checks with one id', () => {
    const a = node('shop/orders');
    const err = failure(() =>
      definitions({
        assets: [a],
        checks: [
          assetCheck({ asset: a, name: 'unique' }, ok),
          assetCheck({ asset: a, name: 'unique' }, ok),
        ],
      }),
    );
    expect(err.code).toBe('CAIRN_DUPLICATE_CHECK');
    expect(err.message).toContain('Asset "shop/orders" has two checks named "unique"');
    expect(err.details.check).toBe('shop/orders:unique');
  });

  it('CAIRN_UNKNOWN_IO_MANAGER naming the asset, the IO manager and close matches', () => {
    const err = failure(() =>
      definitions({
        assets: [node('shop/orders', [], { io: 'warehous' })],
        ioManagers: { warehouse: memoryIOManager() },
      }),
    );
    expect(err.code).toBe('CAIRN_UNKNOWN_IO_MANAGER');
    expect(err.message).toContain(
      'Asset "shop/orders" uses IO manager "warehous", which is not configured (configured: "warehouse", "default"). Did you mean "warehouse"?',
    );
    expect(err.details).toMatchObject({ asset: 'shop/orders', ioManager: 'warehous' });
  });

  it('CAIRN_DUPLICATE_KEY for schedule and sensor names', () => {
    const twoSchedules = failure(() =>
      definitions({ schedules: [{ name: 'nightly' }, { name: 'nightly' }] }),
    );
    expect(twoSchedules.code).toBe('CAIRN_DUPLICATE_KEY');
    expect(twoSchedules.message).toBe(
      'The name "nightly" is used by two schedules. Schedules and sensors need unique names: rename one.',
    );
    const mixed = failure(() =>
      definitions({ schedules: [{ name: 'watch' }], sensors: [{ name: 'watch' }] }),
    );
    expect(mixed.code).toBe('CAIRN_DUPLICATE_KEY');
    expect(mixed.message).toContain('(a schedule and a sensor)');
    expect(failure(() => definitions({ sensors: [{ name: 's' }, { name: 's' }] })).code).toBe(
      'CAIRN_DUPLICATE_KEY',
    );
  });

  it('CAIRN_INVALID_OPTIONS for things that are not handles, checks or IO managers', () => {
    const notAsset = failure(() => definitions({ assets: [node('a'), asset as never] }));
    expect(notAsset.code).toBe('CAIRN_INVALID_OPTIONS');
    expect(notAsset.message).toContain('assets[1] is a function');
    const nested = failure(() => definitions({ assets: [[node('a'), 42 as never]] }));
    expect(nested.message).toContain('assets[0][1] is 42, not an asset handle');
    const check = failure(() => definitions({ checks: [node('a') as never] }));
    expect(check.message).toContain('checks[0] is not an asset check');
    const io = failure(() => definitions({ ioManagers: { s3: {} as never } }));
    expect(io.message).toContain(
      'IO manager "s3" must be an object with store(ctx, value) and load(ctx)',
    );
  });
});
