import { describe, expect, it } from 'vitest';
import {
  dailyPartitions,
  dynamicPartitions,
  hourlyPartitions,
  isMultiPartitions,
  multiPartitions,
  staticPartitions,
} from '../../src/partitions/index.js';

const now = { now: new Date('2024-01-04T00:00:00Z') };

describe('multiPartitions', () => {
  const date = dailyPartitions({ start: '2024-01-01' });
  const region = staticPartitions(['eu', 'us']);
  // Given out of order on purpose: dimensions are sorted by name.
  const multi = multiPartitions({ region, date });

  it('sorts dimensions by name and joins keys with | in that order', () => {
    expect(isMultiPartitions(multi)).toBe(true);
    expect(multi.dimensions.map((d) => d.name)).toEqual(['date', 'region']);
    expect(multi.timeDimension).toBe('date');
    expect(multi.keys(now)).toEqual([
      '2024-01-01|eu',
      '2024-01-01|us',
      '2024-01-02|eu',
      '2024-01-02|us',
      '2024-01-03|eu',
      '2024-01-03|us',
    ]);
  });

  it('answers count/keyAt/indexOf with mixed-radix arithmetic', () => {
    expect(multi.count(now)).toBe(6);
    expect(multi.keyAt(3, now)).toBe('2024-01-02|us');
    expect(multi.indexOf('2024-01-03|eu', now)).toBe(4);
    expect(multi.indexOf('2024-01-04|eu', now)).toBe(-1);
    expect(multi.indexOf('2024-01-03', now)).toBe(-1);
    expect(multi.indexOf('2024-01-03|eu|x', now)).toBe(-1);
    expect(multi.has('2024-01-01|us', now)).toBe(true);
    expect(multi.slice(4, 100, now)).toEqual(['2024-01-03|eu', '2024-01-03|us']);
    expect(multi.range('2024-01-01|us', '2024-01-02|us', now)).toEqual([
      '2024-01-01|us',
      '2024-01-02|eu',
      '2024-01-02|us',
    ]);
  });

  it('supports three dimensions and large products without building key arrays', () => {
    const hourly = hourlyPartitions({ start: '2000-01-01-00:00' });
    const m = multiPartitions({
      zone: staticPartitions(['a', 'b', 'c']),
      hour: hourly,
      kind: staticPartitions(['x', 'y']),
    });
    const n = { now: new Date('2024-01-01T00:00:00Z') };
    const hours = hourly.count(n);
    expect(hours).toBe(210_384);
    expect(m.count(n)).toBe(hours * 6);
    expect(m.dimensions.map((d) => d.name)).toEqual(['hour', 'kind', 'zone']);
    const i = 5 * 6 + 1 * 3 + 2;
    expect(m.keyAt(i, n)).toBe('2000-01-01-05:00|y|c');
    expect(m.indexOf('2023-12-31-23:00|y|c', n)).toBe(m.count(n) - 1);
  });

  it('splits and joins keys', () => {
    expect(multi.split('2024-01-02|us')).toEqual({ date: '2024-01-02', region: 'us' });
    expect(multi.join({ region: 'eu', date: '2024-01-01' })).toBe('2024-01-01|eu');
    expect(() => multi.split('2024-01-02')).toThrowError(
      expect.objectContaining({ code: 'CAIRN_UNKNOWN_PARTITION' }),
    );
    expect(() => multi.join({ date: '2024-01-01' })).toThrowError(
      expect.objectContaining({
        code: 'CAIRN_UNKNOWN_PARTITION',
        message: expect.stringContaining('missing region'),
      }),
    );
    expect(() => multi.join({ date: '2024-01-01', region: 'eu', color: 'red' })).toThrowError(
      expect.objectContaining({ code: 'CAIRN_UNKNOWN_PARTITION' }),
    );
  });

  it('includes dynamic dimensions through the context', () => {
    const m = multiPartitions({ customer: dynamicPartitions('customers'), region });
    expect(m.timeDimension).toBeUndefined();
    expect(m.count()).toBe(0);
    const ctx = { dynamic: { getDynamicPartitionKeys: () => ['acme'] } };
    expect(m.keys(ctx)).toEqual(['acme|eu', 'acme|us']);
  });

  it('validates dimensions', () => {
    const code = { code: 'CAIRN_INVALID_PARTITIONS' };
    expect(() => multiPartitions({ date })).toThrowError(expect.objectContaining(code));
    expect(() => multiPartitions({ a: multi, b: region })).toThrowError(
      expect.objectContaining(code),
    );
    expect(() =>
      multiPartitions({ a: date, b: dailyPartitions({ start: '2023-01-01' }) }),
    ).toThrowError(expect.objectContaining(code));
    expect(() =>
      multiPartitions({
        a: dailyPartitions({ start: '2024-01-01', fmt: 'yyyy|MM|dd' }),
        b: region,
      }),
    ).toThrowError(expect.objectContaining(code));
  });

  it('equals structurally', () => {
    expect(
      multi.equals(multiPartitions({ date: dailyPartitions({ start: '2024-01-01' }), region })),
    ).toBe(true);
    expect(multi.equals(multiPartitions({ date, region: staticPartitions(['eu']) }))).toBe(false);
  });
});
