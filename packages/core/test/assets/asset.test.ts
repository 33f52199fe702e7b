import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { asset, assetsOf } from '../../src/asset.js';
import { assetKey } from '../../src/asset-key.js';
import { materializeResult } from '../../src/asset-types.js';
import { assetCheck } from '../../src/checks/asset-check.js';
import { CairnError } from '../../src/errors.js';
import { externalAsset } from '../../src/external-asset.js';
import { multiAsset } from '../../src/multi-asset.js';
import '../../src/polyfills.js';
import { resource } from '../../src/resource.js';

describe('assetKey', () => {
  it('normalizes strings and segment arrays', () => {
    expect(assetKey('shop/raw_orders')).toBe('shop/raw_orders');
    expect(assetKey(['shop', 'raw_orders'])).toBe('shop/raw_orders');
  });
  it('rejects invalid segments naming them', () => {
    expect(() => assetKey('shop/raw-orders')).toThrowError(/invalid segment "raw-orders"/);
    expect(() => assetKey('shop//x')).toThrowError(CairnError);
    expect(() => assetKey('')).toThrowError(/empty/);
    try {
      assetKey('a/b c');
    } catch (e) {
      expect((e as CairnError).code).toBe('CAIRN_INVALID_ASSET_KEY');
      expect((e as CairnError).details.segment).toBe('b c');
    }
  });
});

describe('asset()', () => {
  const raw = asset({ key: 'shop/raw_orders', group: 'shop', tags: { tier: 'gold' } }, () => [
    { id: 1, total: 10 },
  ]);

  it('returns a frozen handle with defaults resolved', () => {
    expect(raw.kind).toBe('asset');
    expect(raw.key).toBe('shop/raw_orders');
    expect(raw.group).toBe('shop');
    expect(raw.io).toBe('default');
    expect(raw.backfillPolicy).toEqual({ type: 'multi-run' });
    expect(raw.deps).toEqual([]);
    expect(Object.isFrozen(raw)).toBe(true);
    expect(Object.isFrozen(raw.tags)).toBe(true);
  });

  it('resolves data deps, ordering deps and key strings', () => {
    const b = asset({ key: 'b', deps: { orders: raw } }, ({ orders }) => orders.length);
    expect(b.deps).toEqual([{ key: 'shop/raw_orders', inputName: 'orders', mapping: undefined }]);
    const c = asset({ key: 'c', deps: [raw, 'other/thing'] }, () => 1);
    expect(c.deps.map((d) => [d.key, d.inputName])).toEqual([
      ['shop/raw_orders', undefined],
      ['other/thing', undefined],
    ]);
  });

  it('rejects bad options with the asset named', () => {
    expect(() => asset({ key: 'x', timeoutMs: -1 }, () => 1)).toThrowError(/"x" has timeoutMs -1/);
    expect(() => asset({ key: 'x', retry: { maxRetries: 1.5 } }, () => 1)).toThrowError(
      /maxRetries must be a whole number/,
    );
    expect(() => asset({ key: 'x', deps: { a: undefined as never } }, () => 1)).toThrowError(
      /dependency "a"/,
    );
  });

  it('types inputs from upstream return types (compile-time)', () => {
    const total = asset({ key: 'total', deps: { orders: raw } }, ({ orders }) => {
      expectTypeOf(orders).toEqualTypeOf<{ id: number; total: number }[]>();
      return materializeResult(
        orders.reduce((s, o) => s + o.total, 0),
        {
          metadata: { rowCount: orders.length },
        },
      );
    });
    expectTypeOf(total.__type).toEqualTypeOf<number | undefined>();
    // @ts-expect-error: a misspelled input is a compile error
    asset({ key: 'bad', deps: { orders: raw } }, ({ ordrs }) => ordrs);
    asset({ key: 'bad2', deps: { orders: raw } }, ({ orders }) => {
      // @ts-expect-error: orders is an array of objects, not a string
      const s: string = orders;
      return s;
    });
  });

  it('types ctx.config from the zod schema and ctx.resources from the declared resources', () => {
    const db = resource({ setup: () => ({ query: (sql: string) => sql.length }) });
    asset(
      { key: 'cfg', config: z.object({ limit: z.number() }), resources: { db } },
      (_inputs, ctx) => {
        expectTypeOf(ctx.config).toEqualTypeOf<{ limit: number }>();
        expectTypeOf(ctx.resources.db.query).toEqualTypeOf<(sql: string) => number>();
        // @ts-expect-error: undeclared resource
        void ctx.resources.other;
        return ctx.config.limit;
      },
    );
  });
});

describe('multiAsset(), externalAsset(), assetCheck()', () => {
  it('creates one handle per output sharing one node id', () => {
    const { customers, orders } = multiAsset(
      { outs: { customers: { key: 'crm/customers' }, orders: { key: 'crm/orders', group: 'g' } } },
      () => ({ customers: ['ann'], orders: [1, 2] }),
    );
    expect(customers.key).toBe('crm/customers');
    expect(orders.group).toBe('g');
    expect(customers.multi?.id).toBe(orders.multi?.id);
    expect(customers.multi?.outputs).toEqual({ customers: 'crm/customers', orders: 'crm/orders' });
    expectTypeOf(customers.__type).toEqualTypeOf<string[] | undefined>();
  });

  it('declares external assets without compute', () => {
    const payments = externalAsset<{ amount: number }[]>({ key: 'stripe/payments' });
    expect(payments.external).toBe(true);
    expect(payments.compute).toBeUndefined();
  });

  it('validates checks and defaults severity to error', () => {
    const a = asset({ key: 'a' }, () => [1, 2, 3]);
    const c = assetCheck({ asset: a, name: 'non_empty' }, async (ctx) => {
      const v = await ctx.loadValue();
      expectTypeOf(v).toEqualTypeOf<number[]>();
      return { passed: v.length > 0 };
    });
    expect(c.id).toBe('a:non_empty');
    expect(c.severity).toBe('error');
    expect(c.blocking).toBe(false);
    expect(() => assetCheck({ asset: a, name: 'bad name' }, () => ({ passed: true }))).toThrowError(
      /Check name "bad name" on asset "a" is invalid/,
    );
  });
});

describe('@asset decorator', () => {
  it('collects decorated methods, bound to an instance', async () => {
    class Shop {
      factor = 3;
      @asset({ key: 'shop/numbers' })
      numbers() {
        return [1, 2];
      }
      @asset({ key: 'shop/scaled', deps: ['shop/numbers'] })
      scaled() {
        return this.factor;
      }
    }
    const defs = assetsOf(Shop);
    expect(defs.map((d) => d.key)).toEqual(['shop/numbers', 'shop/scaled']);
    expect(defs[1]!.deps[0]!.key).toBe('shop/numbers');
    expect(await defs[1]!.compute!({}, {} as never)).toBe(3);
  });
});
