import { describe, expect, it } from 'vitest';
import {
  dailyPartitions,
  dynamicPartitions,
  hourlyPartitions,
  monthlyPartitions,
  multiPartitions,
  type PartitionsDefinition,
  partitionsFromSnapshot,
  staticPartitions,
  timeWindowPartitions,
  weeklyPartitions,
} from '../../src/partitions/index.js';

const now = { now: new Date('2024-12-01T00:00:00Z') };

describe('partitionsFromSnapshot', () => {
  const defs: [string, PartitionsDefinition][] = [
    [
      'daily NY',
      dailyPartitions({ start: '2024-03-01', timezone: 'America/New_York', hourOffset: 2 }),
    ],
    [
      'hourly Berlin with end',
      hourlyPartitions({
        start: '2024-10-26-00:00',
        end: '2024-10-28-00:00',
        timezone: 'Europe/Berlin',
      }),
    ],
    ['weekly', weeklyPartitions({ start: '2024-01-01', dayOffset: 3, endOffset: 1 })],
    ['monthly 31', monthlyPartitions({ start: '2024-01-01', dayOffset: 31, endOffset: -1 })],
    ['custom fmt', dailyPartitions({ start: 'Jan 5, 2024', fmt: 'LLL d, yyyy' })],
    [
      'iterated',
      timeWindowPartitions({ cron: '0 9 * * 1-5', start: '2024-06-01', timezone: 'Asia/Tokyo' }),
    ],
    ['static', staticPartitions(['a', 'b'])],
    ['dynamic', dynamicPartitions('files')],
    [
      'multi',
      multiPartitions({
        day: dailyPartitions({ start: '2024-11-01' }),
        color: staticPartitions(['red', 'blue']),
      }),
    ],
  ];

  it.each(defs)(
    '%s round-trips through JSON to an equal definition with the same keys',
    (_, def) => {
      const json = JSON.parse(JSON.stringify(def.snapshot()));
      const again = partitionsFromSnapshot(json);
      expect(again.equals(def)).toBe(true);
      expect(def.equals(again)).toBe(true);
      expect(again.snapshot()).toEqual(def.snapshot());
      expect(again.keys(now)).toEqual(def.keys(now));
    },
  );

  it('stores the start as an ISO instant with the zone offset', () => {
    expect(defs[0]![1].snapshot()).toEqual({
      type: 'time',
      cron: '0 2 * * *',
      timezone: 'America/New_York',
      fmt: 'yyyy-MM-dd',
      start: '2024-03-01T00:00:00.000-05:00',
      endOffset: 0,
    });
  });

  it('rejects malformed snapshots', () => {
    expect(() => partitionsFromSnapshot({ type: 'time', cron: '0 0 * * *' } as never)).toThrowError(
      expect.objectContaining({ code: 'CAIRN_INVALID_PARTITIONS' }),
    );
    expect(() => partitionsFromSnapshot({ type: 'nope' } as never)).toThrowError(
      expect.objectContaining({ code: 'CAIRN_INVALID_PARTITIONS' }),
    );
  });

  it('equals distinguishes what changes keys', () => {
    const base = dailyPartitions({ start: '2024-01-01' });
    expect(
      base.equals(
        timeWindowPartitions({ cron: '0 0 * * *', start: '2024-01-01', fmt: 'yyyy-MM-dd' }),
      ),
    ).toBe(true);
    // A start between ticks gives the same first window, hence the same keys.
    expect(base.equals(dailyPartitions({ start: '2023-12-31T12:00' }))).toBe(true);
    expect(base.equals(dailyPartitions({ start: '2024-01-02' }))).toBe(false);
    expect(base.equals(dailyPartitions({ start: '2024-01-01', timezone: 'Europe/Paris' }))).toBe(
      false,
    );
    expect(base.equals(dailyPartitions({ start: '2024-01-01', endOffset: 1 }))).toBe(false);
    expect(base.equals(dailyPartitions({ start: '2024-01-01', fmt: 'yyyyMMdd' }))).toBe(false);
    expect(base.equals(dailyPartitions({ start: '2024-01-01', end: '2025-01-01' }))).toBe(false);
    expect(base.equals(staticPartitions(['2024-01-01']))).toBe(false);
  });
});
