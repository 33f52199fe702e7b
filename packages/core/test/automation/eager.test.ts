import { describe, expect, it } from 'vitest';
import { asset } from '../../src/asset.js';
import { eager, memoryAutomationState } from '../../src/automation/index.js';
import { assetCheck } from '../../src/checks/asset-check.js';
import { definitions } from '../../src/definitions.js';
import { dailyPartitions } from '../../src/partitions/index.js';
import { decision, runs, Ticker } from './helpers.js';

function chain() {
  const a = asset({ key: 'shop/a', codeVersion: '1', automation: eager() }, () => 1);
  const b = asset({ key: 'shop/b', codeVersion: '1', deps: { a }, automation: eager() }, () => 2);
  const c = asset({ key: 'shop/c', codeVersion: '1', deps: { b }, automation: eager() }, () => 3);
  return { a, b, c };
}

let t = Date.parse('2024-03-01T00:00:00Z');
const clock = () => {
  t += 1000;
  return new Date(t);
};

describe('eager() on an unpartitioned chain', () => {
  it('requests a missing chain once, as one run, and not again after it materialized', () => {
    const { a, b, c } = chain();
    const defs = definitions({ assets: [a, b, c] });
    const state = memoryAutomationState({ now: clock });
    const ticker = new Ticker(defs, state);

    const first = ticker.tick('2024-03-01T01:00:00Z');
    expect(runs(first)).toEqual([['shop/a', 'shop/b', 'shop/c']]);
    expect(decision(first, 'shop/a')?.reasons).toContain('it is newly missing');
    expect(decision(first, 'shop/b')?.reasons).toContain('no dependency is missing');

    // The run is queued: nothing new is requested.
    for (const k of ['shop/a', 'shop/b', 'shop/c']) state.setInProgress(k, undefined);
    expect(runs(ticker.tick('2024-03-01T01:01:00Z'))).toEqual([]);

    for (const k of ['shop/a', 'shop/b', 'shop/c'])
      state.recordMaterialization({ assetKey: k, codeVersion: '1', dataVersion: `${k}-1` });
    const after = ticker.tick('2024-03-01T01:02:00Z');
    expect(runs(after)).toEqual([]);
    expect(runs(ticker.tick('2024-03-01T01:03:00Z'))).toEqual([]);
  });

  it('requests the downstream chain with a reason when an upstream is updated', () => {
    const { a, b, c } = chain();
    const defs = definitions({ assets: [a, b, c] });
    const state = memoryAutomationState({ now: clock });
    for (const k of ['shop/a', 'shop/b', 'shop/c'])
      state.recordMaterialization({ assetKey: k, codeVersion: '1', dataVersion: `${k}-1` });
    const ticker = new Ticker(defs, state);
    expect(runs(ticker.tick('2024-03-01T01:00:00Z'))).toEqual([]);

    state.recordMaterialization({ assetKey: 'shop/a', codeVersion: '1', dataVersion: 'a-2' });
    const r = ticker.tick('2024-03-01T01:01:00Z');
    expect(runs(r)).toEqual([['shop/b', 'shop/c']]);
    expect(r.runRequests[0]!.runKey).toBe('automation:2024-03-01T01:01:00.000Z:shop/b');
    const db = decision(r, 'shop/b')!;
    expect(db.requested).toBe(true);
    expect(db.reasons[1]).toBe('shop/a was updated');
    expect(decision(r, 'shop/c')!.reasons[1]).toBe('shop/b is requested in the same run');
    expect(db.text).toContain('shop/b requested by eager because');

    // Requested once: the next tick does not request again although nothing materialized yet.
    expect(runs(ticker.tick('2024-03-01T01:02:00Z'))).toEqual([]);
  });

  it('does not cascade a recompute that kept the same data version', () => {
    const { a, b, c } = chain();
    const defs = definitions({ assets: [a, b, c] });
    const state = memoryAutomationState({ now: clock });
    for (const k of ['shop/a', 'shop/b', 'shop/c'])
      state.recordMaterialization({ assetKey: k, codeVersion: '1', dataVersion: `${k}-1` });
    const ticker = new Ticker(defs, state);
    ticker.tick('2024-03-01T01:00:00Z');
    state.recordMaterialization({ assetKey: 'shop/a', codeVersion: '1', dataVersion: 'shop/a-1' });
    expect(runs(ticker.tick('2024-03-01T01:01:00Z'))).toEqual([]);
  });

  it.each([
    ['failed', 'the latest run of shop/a failed'],
    ['in progress', 'shop/a is in progress'],
  ])('does not request downstream when the upstream %s, and says why', (what, reason) => {
    const { a, b, c } = chain();
    const defs = definitions({ assets: [a, b, c] });
    const state = memoryAutomationState({ now: clock });
    for (const k of ['shop/a', 'shop/b', 'shop/c'])
      state.recordMaterialization({ assetKey: k, codeVersion: '1', dataVersion: `${k}-1` });
    const ticker = new Ticker(defs, state);
    ticker.tick('2024-03-01T01:00:00Z');
    state.recordMaterialization({ assetKey: 'shop/a', codeVersion: '1', dataVersion: 'a-2' });
    if (what === 'failed') state.recordFailure('shop/a', undefined);
    else state.setInProgress('shop/a', undefined);
    const r = ticker.tick('2024-03-01T01:01:00Z');
    expect(runs(r)).toEqual([]);
    const d = decision(r, 'shop/b')!;
    expect(d.requested).toBe(false);
    expect(d.reasons).toEqual([reason]);
  });

  it('waits for a missing upstream and requests once it lands', () => {
    const raw = asset({ key: 'shop/raw', codeVersion: '1' }, () => 0);
    const b = asset(
      { key: 'shop/b', codeVersion: '1', deps: { raw }, automation: eager() },
      () => 1,
    );
    const defs = definitions({ assets: [raw, b] });
    const state = memoryAutomationState({ now: clock });
    const ticker = new Ticker(defs, state);
    const r = ticker.tick('2024-03-01T01:00:00Z');
    expect(runs(r)).toEqual([]);
    expect(decision(r, 'shop/b')!.reasons).toEqual(['shop/raw is missing']);
    state.recordMaterialization({ assetKey: 'shop/raw', codeVersion: '1', dataVersion: 'r1' });
    expect(runs(ticker.tick('2024-03-01T01:01:00Z'))).toEqual([['shop/b']]);
  });

  it('requests every materialized partition again when the code version changes', () => {
    const v1 = asset({ key: 'm', codeVersion: '1', automation: eager() }, () => 1);
    const state = memoryAutomationState({ now: clock });
    state.recordMaterialization({ assetKey: 'm', codeVersion: '1', dataVersion: 'x' });
    const ticker = new Ticker(definitions({ assets: [v1] }), state);
    expect(runs(ticker.tick('2024-03-01T01:00:00Z'))).toEqual([]);
    const v2 = asset({ key: 'm', codeVersion: '2', automation: eager() }, () => 1);
    const next = new Ticker(definitions({ assets: [v2] }), state);
    next.memory = ticker.memory;
    const r = next.tick('2024-03-01T01:01:00Z');
    expect(runs(r)).toEqual([['m']]);
    expect(decision(r, 'm')!.reasons[1]).toBe('its code version changed from 1 to 2');
  });
});

describe('eager() with partitions', () => {
  const daily = dailyPartitions({ start: '2024-01-01' });

  function graph() {
    const raw = asset({ key: 'raw', partitions: daily, codeVersion: '1' }, () => 0);
    const orders = asset(
      { key: 'orders', partitions: daily, codeVersion: '1', deps: { raw }, automation: eager() },
      () => 1,
    );
    const revenue = asset(
      {
        key: 'revenue',
        partitions: daily,
        codeVersion: '1',
        deps: { orders },
        automation: eager(),
      },
      () => 2,
    );
    const other = asset(
      { key: 'other', partitions: daily, codeVersion: '1', deps: { raw }, automation: eager() },
      () => 3,
    );
    return { raw, orders, revenue, other };
  }

  function seeded(days: number) {
    const g = graph();
    const defs = definitions({ assets: Object.values(g) });
    const state = memoryAutomationState({ now: clock });
    for (let d = 1; d <= days; d++) {
      const pk = `2024-01-${String(d).padStart(2, '0')}`;
      for (const k of ['raw', 'orders', 'revenue', 'other'])
        state.recordMaterialization({
          assetKey: k,
          partitionKey: pk,
          codeVersion: '1',
          dataVersion: `${k}${pk}`,
        });
    }
    return { defs, state };
  }

  it('groups connected eager assets into one run per partition key', () => {
    const { defs, state } = seeded(10);
    const ticker = new Ticker(defs, state, { lookback: { days: 30 } });
    ticker.tick('2024-01-11T00:10:00Z');
    state.recordMaterialization({
      assetKey: 'raw',
      partitionKey: '2024-01-10',
      codeVersion: '1',
      dataVersion: 'n1',
    });
    state.recordMaterialization({
      assetKey: 'raw',
      partitionKey: '2024-01-03',
      codeVersion: '1',
      dataVersion: 'n2',
    });
    const r = ticker.tick('2024-01-11T00:20:00Z');
    expect(runs(r)).toEqual([
      ['orders[2024-01-10]', 'revenue[2024-01-10]'],
      ['other[2024-01-10]'],
      ['orders[2024-01-03]', 'revenue[2024-01-03]'],
      ['other[2024-01-03]'],
    ]);
  });

  it('only looks at the latest window by default, and at past stale partitions within the lookback', () => {
    const { defs, state } = seeded(10);
    const narrow = new Ticker(defs, state);
    narrow.tick('2024-01-11T00:10:00Z');
    state.recordMaterialization({
      assetKey: 'raw',
      partitionKey: '2024-01-03',
      codeVersion: '1',
      dataVersion: 'n2',
    });
    expect(runs(narrow.tick('2024-01-11T00:20:00Z'))).toEqual([]);

    const { defs: d2, state: s2 } = seeded(10);
    const wide = new Ticker(d2, s2, { lookback: { days: 7 } });
    wide.tick('2024-01-11T00:10:00Z');
    s2.recordMaterialization({
      assetKey: 'raw',
      partitionKey: '2024-01-03',
      codeVersion: '1',
      dataVersion: 'n2',
    });
    s2.recordMaterialization({
      assetKey: 'raw',
      partitionKey: '2024-01-02',
      codeVersion: '1',
      dataVersion: 'n3',
    });
    // 01-03 ends 7 days before the latest window (01-10) ends; 01-02 is outside the look-back.
    expect(runs(wide.tick('2024-01-11T00:20:00Z'))).toEqual([
      ['orders[2024-01-03]', 'revenue[2024-01-03]'],
      ['other[2024-01-03]'],
    ]);
  });

  it('requests a new day once its upstream partition exists', () => {
    const { defs, state } = seeded(10);
    const ticker = new Ticker(defs, state);
    expect(runs(ticker.tick('2024-01-11T00:10:00Z'))).toEqual([]);
    // 2024-01-11 becomes a partition at midnight on the 12th; raw has not landed yet.
    const waiting = ticker.tick('2024-01-12T00:10:00Z');
    expect(runs(waiting)).toEqual([]);
    expect(decision(waiting, 'orders', '2024-01-11')!.reasons).toEqual([
      'raw 2024-01-11 is missing',
    ]);
    state.recordMaterialization({
      assetKey: 'raw',
      partitionKey: '2024-01-11',
      codeVersion: '1',
      dataVersion: 'x',
    });
    expect(runs(ticker.tick('2024-01-12T00:20:00Z'))).toEqual([
      ['orders[2024-01-11]', 'revenue[2024-01-11]'],
      ['other[2024-01-11]'],
    ]);
  });

  it('caps runs per tick and requests the rest on the next tick', () => {
    const { defs, state } = seeded(10);
    const ticker = new Ticker(defs, state, { lookback: { days: 30 }, maxRunsPerTick: 2 });
    ticker.tick('2024-01-11T00:10:00Z');
    for (const pk of ['2024-01-04', '2024-01-05'])
      state.recordMaterialization({
        assetKey: 'raw',
        partitionKey: pk,
        codeVersion: '1',
        dataVersion: `n${pk}`,
      });
    const r = ticker.tick('2024-01-11T00:20:00Z');
    expect(runs(r)).toEqual([['orders[2024-01-05]', 'revenue[2024-01-05]'], ['other[2024-01-05]']]);
    const held = decision(r, 'orders', '2024-01-04')!;
    expect(held.requested).toBe(false);
    expect(held.reasons).toEqual([
      'the tick reached maxRunsPerTick (2); it stays pending for the next tick',
    ]);
    expect(runs(ticker.tick('2024-01-11T00:30:00Z'))).toEqual([
      ['orders[2024-01-04]', 'revenue[2024-01-04]'],
      ['other[2024-01-04]'],
    ]);
    expect(runs(ticker.tick('2024-01-11T00:40:00Z'))).toEqual([]);
  });

  it('does not propagate past a failed blocking check', () => {
    const g = graph();
    const check = assetCheck({ asset: g.orders, name: 'positive', blocking: true }, () => ({
      passed: true,
    }));
    const defs = definitions({ assets: Object.values(g), checks: [check] });
    const state = memoryAutomationState({ now: clock });
    for (const k of ['raw', 'orders', 'revenue', 'other'])
      state.recordMaterialization({
        assetKey: k,
        partitionKey: '2024-01-10',
        codeVersion: '1',
        dataVersion: `${k}1`,
      });
    const ticker = new Ticker(defs, state);
    ticker.tick('2024-01-11T00:10:00Z');
    state.recordMaterialization({
      assetKey: 'orders',
      partitionKey: '2024-01-10',
      codeVersion: '1',
      dataVersion: 'o2',
    });
    state.recordCheckResult({
      assetKey: 'orders',
      partitionKey: '2024-01-10',
      check: 'positive',
      passed: false,
    });
    const r = ticker.tick('2024-01-11T00:20:00Z');
    expect(runs(r)).toEqual([]);
    expect(decision(r, 'revenue', '2024-01-10')!.reasons).toEqual([
      'blocking check orders:positive failed on orders 2024-01-10',
    ]);
  });
});
