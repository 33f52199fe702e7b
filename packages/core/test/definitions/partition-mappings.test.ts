import { describe, expect, it } from 'vitest';
import { asset } from '../../src/asset.js';
import { definitions } from '../../src/definitions.js';
import { CairnError } from '../../src/errors.js';
import {
  allMapping,
  identityMapping,
  lastMapping,
  timeWindowMapping,
} from '../../src/mappings/index.js';
import { dailyPartitions, hourlyPartitions, staticPartitions } from '../../src/partitions/index.js';

function failure(fn: () => unknown): CairnError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CairnError) return err;
    throw err;
  }
  throw new Error('expected a CairnError');
}

const daily = dailyPartitions({ start: '2024-01-01' });
const hourly = hourlyPartitions({ start: '2024-01-01-00:00' });
const regions = staticPartitions(['eu', 'us']);

const events = asset({ key: 'shop/events', partitions: hourly }, () => 1);
const orders = asset({ key: 'shop/orders', partitions: daily }, () => [1]);

describe('definitions(): partition mappings', () => {
  it('infers identity between equal partitions and caches the mapping per edge', () => {
    const summary = asset(
      {
        key: 'shop/summary',
        partitions: dailyPartitions({ start: '2024-01-01' }),
        deps: { orders },
      },
      ({ orders: o }) => o,
    );
    const defs = definitions({ assets: [orders, summary] });
    const mapping = defs.mapping('shop/summary', 'shop/orders');
    expect(mapping.type).toBe('identity');
    expect(defs.mapping('shop/summary', 'shop/orders')).toBe(mapping);
    expect(defs.graph.edge('shop/orders', 'shop/summary')?.mapping).toBe(mapping);
  });

  it('keeps an explicit mapping that fits, and returns it per input', () => {
    const hours = timeWindowMapping();
    const last = lastMapping();
    const report = asset(
      {
        key: 'shop/report',
        partitions: daily,
        deps: {
          hours: { asset: events, mapping: hours },
          latest: { asset: events, mapping: last },
        },
      },
      ({ hours: h, latest }) => [h.size, latest],
    );
    const defs = definitions({ assets: [events, report] });
    expect(defs.mapping('shop/report', 'shop/events')).toBe(hours);
    expect(defs.mapping('shop/report', 'shop/events', 'hours')).toBe(hours);
    expect(defs.mapping('shop/report', 'shop/events', 'latest')).toBe(last);
    expect(defs.graph.edges()).toHaveLength(1);
  });

  it('allows an ordering-only dep that reads many partitions', () => {
    const total = asset({ key: 'shop/total', deps: [orders] }, () => 0);
    const defs = definitions({ assets: [orders, total] });
    expect(defs.mapping('shop/total', 'shop/orders').type).toBe('all');
  });

  it('CAIRN_INCOMPATIBLE_MAPPING for an explicit mapping that does not fit, naming both assets', () => {
    const byRegion = asset(
      {
        key: 'shop/by_region',
        partitions: regions,
        deps: [{ asset: orders, mapping: identityMapping() }],
      },
      () => 1,
    );
    const err = failure(() => definitions({ assets: [orders, byRegion] }));
    expect(err.code).toBe('CAIRN_INCOMPATIBLE_MAPPING');
    expect(err.message).toMatch(
      /^Asset "shop\/by_region" depends on "shop\/orders" through the identity mapping, which does not fit their partitions: identity mapping needs/,
    );
    expect(err.details).toMatchObject({
      downstream: 'shop/by_region',
      upstream: 'shop/orders',
      mapping: 'identity',
    });
    expect(typeof err.details.reason).toBe('string');
  });

  it('CAIRN_INCOMPATIBLE_MAPPING when no default mapping exists, naming both assets', () => {
    const sizes = asset({ key: 'shop/sizes', partitions: staticPartitions(['s', 'm']) }, () => 1);
    const byRegion = asset({ key: 'shop/by_region', partitions: regions, deps: [sizes] }, () => 1);
    const err = failure(() => definitions({ assets: [sizes, byRegion] }));
    expect(err.code).toBe('CAIRN_INCOMPATIBLE_MAPPING');
    expect(err.message).toContain('"shop/sizes"');
    expect(err.message).toContain('"shop/by_region"');
    expect(err.details).toMatchObject({ downstream: 'shop/by_region', upstream: 'shop/sizes' });
    expect(err.cause).toBeInstanceOf(CairnError);
  });

  it('CAIRN_AMBIGUOUS_INPUT for a bare data-passing dep reading all partitions', () => {
    const total = asset({ key: 'shop/total', deps: { orders } }, ({ orders: o }) => o);
    const err = failure(() => definitions({ assets: [orders, total] }));
    expect(err.code).toBe('CAIRN_AMBIGUOUS_INPUT');
    expect(err.message).toContain(
      'Asset "shop/total" reads "shop/orders" as input "orders", but each partition of "shop/total" (unpartitioned) reads several partitions of "shop/orders"',
    );
    expect(err.message).toContain(
      'Write the dependency as { asset: "shop/orders", mapping: allMapping() } so "orders" is typed as a Map.',
    );
    expect(err.details).toMatchObject({
      downstream: 'shop/total',
      upstream: 'shop/orders',
      input: 'orders',
      mapping: 'all',
    });
    const fixed = asset(
      { key: 'shop/total', deps: { orders: { asset: orders, mapping: allMapping() } } },
      ({ orders: o }) => o.size,
    );
    expect(definitions({ assets: [orders, fixed] }).mapping('shop/total', 'shop/orders').type).toBe(
      'all',
    );
  });

  it('CAIRN_AMBIGUOUS_INPUT for a daily asset reading an hourly one bare', () => {
    const report = asset(
      { key: 'shop/report', partitions: daily, deps: { events } },
      ({ events: e }) => e,
    );
    const err = failure(() => definitions({ assets: [events, report] }));
    expect(err.code).toBe('CAIRN_AMBIGUOUS_INPUT');
    expect(err.message).toContain(
      '{ asset: "shop/events", mapping: timeWindowMapping() } (or allMapping(), or the mapping that fits)',
    );
  });

  it('allows a self-dependency on earlier partitions, outside the ordering', () => {
    const previous = timeWindowMapping({ startOffset: -1, endOffset: -1 });
    const balance = asset(
      {
        key: 'shop/balance',
        partitions: daily,
        deps: { orders, before: { asset: 'shop/balance', mapping: previous } },
      },
      () => 0,
    );
    const defs = definitions({ assets: [orders, balance] });
    const graph = defs.graph;
    expect(graph.isSelfDependent('shop/balance')).toBe(true);
    expect(graph.isSelfDependent('shop/orders')).toBe(false);
    expect(graph.parents('shop/balance')).toEqual(['shop/orders']);
    expect(graph.children('shop/balance')).toEqual([]);
    expect(graph.upstream('shop/balance')).toEqual(['shop/orders']);
    expect(defs.mapping('shop/balance', 'shop/balance')).toBe(previous);
    expect(graph.snapshot().edges).toEqual([
      { from: 'shop/orders', to: 'shop/balance', mapping: { type: 'identity' } },
      {
        from: 'shop/balance',
        to: 'shop/balance',
        mapping: { type: 'timeWindow', startOffset: -1, endOffset: -1 },
      },
    ]);
  });

  it('CAIRN_CYCLE for a self-dependency through identity', () => {
    const loop = asset(
      {
        key: 'shop/loop',
        partitions: daily,
        deps: [{ asset: 'shop/loop', mapping: identityMapping() }],
      },
      () => 0,
    );
    const err = failure(() => definitions({ assets: [loop] }));
    expect(err.code).toBe('CAIRN_CYCLE');
    expect(err.details.cycle).toEqual(['shop/loop', 'shop/loop']);
  });

  it('puts the partitions snapshot on nodes', () => {
    const defs = definitions({ assets: [orders] });
    expect(defs.graph.snapshot().nodes[0]?.partitions).toEqual(daily.snapshot());
    expect(defs.graph.snapshot().nodes[0]?.partitions?.type).toBe('time');
  });
});
