import { describe, expect, it } from 'vitest';
import { asset } from '../../src/asset.js';
import { definitions } from '../../src/definitions.js';
import { isCairnError } from '../../src/errors.js';
import { dailyPartitions, hourlyPartitions, staticPartitions } from '../../src/partitions/index.js';
import {
  dueScheduleTicks,
  runRequestForTick,
  schedule,
  scheduleTicks,
} from '../../src/schedules/index.js';

const iso = (ds: Date[]) => ds.map((d) => d.toISOString());

describe('scheduleTicks across DST', () => {
  it('America/New_York: a skipped 02:30 fires at 03:00 EDT, a repeated 01:30 fires once', () => {
    const spring = schedule({
      name: 's',
      cron: '30 2 * * *',
      timezone: 'America/New_York',
      target: '*',
    });
    expect(
      iso(
        scheduleTicks(spring, {
          from: new Date('2024-03-09T00:00Z'),
          to: new Date('2024-03-12T00:00Z'),
        }),
      ),
    ).toEqual(['2024-03-09T07:30:00.000Z', '2024-03-10T07:00:00.000Z', '2024-03-11T06:30:00.000Z']);
    const autumn = schedule({
      name: 'a',
      cron: '30 1 * * *',
      timezone: 'America/New_York',
      target: '*',
    });
    expect(
      iso(
        scheduleTicks(autumn, {
          from: new Date('2024-11-02T00:00Z'),
          to: new Date('2024-11-05T00:00Z'),
        }),
      ),
    ).toEqual(['2024-11-02T05:30:00.000Z', '2024-11-03T06:30:00.000Z', '2024-11-04T06:30:00.000Z']);
  });

  it('Europe/Berlin: a skipped 02:30 fires at 03:00 CEST, a repeated 02:30 fires once', () => {
    const s = schedule({ name: 'b', cron: '30 2 * * *', timezone: 'Europe/Berlin', target: '*' });
    expect(
      iso(
        scheduleTicks(s, {
          from: new Date('2024-03-30T00:00Z'),
          to: new Date('2024-04-01T12:00Z'),
        }),
      ),
    ).toEqual(['2024-03-30T01:30:00.000Z', '2024-03-31T01:00:00.000Z', '2024-04-01T00:30:00.000Z']);
    expect(
      iso(
        scheduleTicks(s, {
          from: new Date('2024-10-26T00:00Z'),
          to: new Date('2024-10-28T12:00Z'),
        }),
      ),
    ).toEqual(['2024-10-26T00:30:00.000Z', '2024-10-27T01:30:00.000Z', '2024-10-28T01:30:00.000Z']);
  });

  it('an hourly cron fires at every existing hour through the autumn repeat', () => {
    const s = schedule({
      name: 'h',
      cron: '30 * * * *',
      timezone: 'America/New_York',
      target: '*',
    });
    expect(
      iso(
        scheduleTicks(s, {
          from: new Date('2024-11-03T04:00Z'),
          to: new Date('2024-11-03T07:00Z'),
        }),
      ),
    ).toEqual(['2024-11-03T04:30:00.000Z', '2024-11-03T05:30:00.000Z', '2024-11-03T06:30:00.000Z']);
  });

  it('range is exclusive of from and inclusive of to', () => {
    const s = schedule({ name: 'd', cron: '0 6 * * *', target: '*' });
    expect(
      iso(
        scheduleTicks(s, {
          from: new Date('2024-01-01T06:00Z'),
          to: new Date('2024-01-02T06:00Z'),
        }),
      ),
    ).toEqual(['2024-01-02T06:00:00.000Z']);
  });
});

describe('catch-up', () => {
  const from = new Date('2024-01-01T00:00Z');
  const now = new Date('2024-01-05T12:00Z');
  it('runs only the latest missed tick by default and reports the skipped ones', () => {
    const s = schedule({ name: 'n', cron: '0 6 * * *', target: '*' });
    const r = dueScheduleTicks(s, { after: from, now });
    expect(iso(r.due)).toEqual(['2024-01-05T06:00:00.000Z']);
    expect(r.skipped).toHaveLength(4);
  });
  it('runs up to maxTicks missed ticks with catchUp', () => {
    const s = schedule({ name: 'n', cron: '0 6 * * *', target: '*', catchUp: { maxTicks: 3 } });
    expect(iso(dueScheduleTicks(s, { after: from, now }).due)).toEqual([
      '2024-01-03T06:00:00.000Z',
      '2024-01-04T06:00:00.000Z',
      '2024-01-05T06:00:00.000Z',
    ]);
  });
});

describe('runRequestForTick', () => {
  const daily = dailyPartitions({ start: '2024-01-01', timezone: 'Europe/Paris' });
  const orders = asset({ key: 'shop/orders', partitions: daily }, () => 1);
  const revenue = asset({ key: 'shop/revenue', partitions: daily, deps: { orders } }, () => 2);
  const report = asset({ key: 'shop/report', deps: [revenue] }, () => 3);

  it('targets the latest complete partition at the tick, with an idempotent run key', () => {
    const nightly = schedule({
      name: 'nightly',
      cron: '0 2 * * *',
      timezone: 'Europe/Paris',
      target: 'shop/orders+',
    });
    const defs = definitions({ assets: [orders, revenue, report], schedules: [nightly] });
    const r = runRequestForTick(defs, nightly, new Date('2024-03-02T01:00:00Z'));
    expect(r.runRequest).toEqual({
      runKey: 'nightly:2024-03-02T01:00:00.000Z',
      assetKeys: ['shop/orders', 'shop/revenue', 'shop/report'],
      partitionKey: '2024-03-01',
      tags: { 'cairn/schedule': 'nightly', 'cairn/tick': '2024-03-02T01:00:00.000Z' },
    });
    // A tick exactly at midnight Paris: the day that just ended is complete.
    expect(
      runRequestForTick(defs, nightly, new Date('2024-03-01T23:00:00Z')).runRequest?.partitionKey,
    ).toBe('2024-03-01');
  });

  it('skips with a reason before the first partition is complete', () => {
    const s = schedule({ name: 'early', cron: '0 * * * *', target: [orders] });
    const defs = definitions({ assets: [orders], schedules: [s] });
    const r = runRequestForTick(defs, s, new Date('2023-12-31T23:00:00Z'));
    expect(r.runRequest).toBeUndefined();
    expect(r.skipReason).toBe(
      'no partition of shop/orders is complete at 2023-12-31T23:00:00.000Z',
    );
  });

  it('uses a partitions function when given', () => {
    const s = schedule({
      name: 'fn',
      cron: '0 2 * * *',
      target: [orders],
      partitions: () => '2024-01-05',
    });
    const defs = definitions({ assets: [orders], schedules: [s] });
    expect(
      runRequestForTick(defs, s, new Date('2024-03-02T01:00:00Z')).runRequest?.partitionKey,
    ).toBe('2024-01-05');
  });
});

describe('definitions({ schedules })', () => {
  const daily = dailyPartitions({ start: '2024-01-01' });
  const a = asset({ key: 'a', partitions: daily }, () => 1);
  const b = asset(
    { key: 'b', partitions: hourlyPartitions({ start: '2024-01-01-00:00' }) },
    () => 1,
  );
  const c = asset({ key: 'c', partitions: staticPartitions(['x', 'y']) }, () => 1);

  it('rejects a target with two partitions definitions', () => {
    const s = schedule({ name: 'mix', cron: '0 * * * *', target: [a, b] });
    try {
      definitions({ assets: [a, b], schedules: [s] });
      expect.unreachable();
    } catch (err) {
      expect(isCairnError(err, 'CAIRN_INVALID_TARGET')).toBe(true);
      expect((err as Error).message).toContain(
        '"a" and "b", which have different partitions definitions',
      );
    }
  });

  it('rejects unknown assets and duplicate names', () => {
    const s = schedule({ name: 'x', cron: '0 * * * *', target: 'nope' });
    expect(() => definitions({ assets: [a], schedules: [s] })).toThrow(/nope/);
    const t = schedule({ name: 'x', cron: '0 * * * *', target: 'a' });
    expect(() => definitions({ assets: [a], schedules: [t, t] })).toThrow(/used by two schedules/);
  });

  it('accepts static partitions with "latest" (the last key)', () => {
    const s = schedule({ name: 'st', cron: '0 * * * *', target: [c] });
    const defs = definitions({ assets: [c], schedules: [s] });
    expect(runRequestForTick(defs, s, new Date('2024-01-01T00:00Z')).runRequest?.partitionKey).toBe(
      'y',
    );
  });

  it('validates options at the boundary', () => {
    expect(() => schedule({ name: 'bad name', cron: '0 * * * *', target: '*' })).toThrow(/invalid/);
    expect(() => schedule({ name: 'c', cron: '0 * * *', target: '*' })).toThrow(/4 fields/);
    expect(() =>
      schedule({ name: 'c', cron: '0 * * * *', timezone: 'Mars/Base', target: '*' }),
    ).toThrow(/Mars\/Base/);
    expect(() =>
      schedule({ name: 'c', cron: '0 * * * *', target: '*', catchUp: { maxTicks: 0 } }),
    ).toThrow(/maxTicks/);
    expect(() => schedule({ name: 'c', cron: '0 * * * *', target: [] as never })).toThrow(/target/);
  });
});
