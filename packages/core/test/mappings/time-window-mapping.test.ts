import { describe, expect, it } from 'vitest';
import { type CairnError, isCairnError } from '../../src/errors.js';
import { timeWindowMapping } from '../../src/mappings/index.js';
import {
  dailyPartitions,
  hourlyPartitions,
  monthlyPartitions,
  staticPartitions,
  weeklyPartitions,
} from '../../src/partitions/index.js';
import { down, hoursOf, range, up } from './helpers.js';

const daily = dailyPartitions({ start: '2024-01-01' });
const hourly = hourlyPartitions({ start: '2024-01-01-00:00' });
const weekly = weeklyPartitions({ start: '2024-01-07' });
const monthly = monthlyPartitions({ start: '2024-01-01' });
const overlap = timeWindowMapping();

describe('timeWindowMapping across granularities', () => {
  it('a daily partition reads the 24 hourly partitions of its day', () => {
    expect(overlap.cardinality).toBe('many');
    expect(up(overlap, daily, hourly, ['2024-01-02'])).toEqual(hoursOf('2024-01-02', range(24)));
    expect(down(overlap, hourly, daily, ['2024-01-02'])).toEqual(hoursOf('2024-01-02', range(24)));
  });

  it('an hourly partition reads the daily partition containing it', () => {
    expect(up(overlap, hourly, daily, ['2024-01-02-05:00', '2024-01-02-23:00'])).toEqual([
      '2024-01-02',
    ]);
    expect(down(overlap, daily, hourly, ['2024-01-02-05:00', '2024-01-03-00:00'])).toEqual([
      '2024-01-02',
      '2024-01-03',
    ]);
  });

  it('ignores keys that are not partitions (malformed, after now, before start)', () => {
    expect(up(overlap, daily, hourly, ['nope', '2024-06-05', '2023-12-31', '2024-01-02'])).toEqual(
      hoursOf('2024-01-02', range(24)),
    );
    expect(down(overlap, daily, hourly, ['2024-01-02-05:00', 'x', '2024-07-01-00:00'])).toEqual([
      '2024-01-02',
    ]);
    expect(up(overlap, hourly, daily, ['2024-01-02-05:30'])).toEqual([]);
  });

  it('merges the hours of several days in order', () => {
    const keys = up(overlap, daily, hourly, ['2024-01-05', '2024-01-03', '2024-01-04']);
    expect(keys).toEqual([
      ...hoursOf('2024-01-03', range(24)),
      ...hoursOf('2024-01-04', range(24)),
      ...hoursOf('2024-01-05', range(24)),
    ]);
  });

  it('daily <-> weekly (weeks start on Sunday)', () => {
    const week = ['07', '08', '09', '10', '11', '12', '13'].map((d) => `2024-01-${d}`);
    expect(up(overlap, weekly, daily, ['2024-01-07'])).toEqual(week);
    expect(up(overlap, daily, weekly, ['2024-01-10', '2024-01-13'])).toEqual(['2024-01-07']);
    expect(up(overlap, daily, weekly, ['2024-01-14'])).toEqual(['2024-01-14']);
    expect(down(overlap, daily, weekly, ['2024-01-07'])).toEqual(week);
    expect(down(overlap, weekly, daily, ['2024-01-09'])).toEqual(['2024-01-07']);
  });

  it('daily <-> monthly', () => {
    const february = range(29, 1).map((d) => `2024-02-${String(d).padStart(2, '0')}`);
    expect(up(overlap, monthly, daily, ['2024-02-01'])).toEqual(february);
    expect(up(overlap, daily, monthly, ['2024-02-29'])).toEqual(['2024-02-01']);
    expect(down(overlap, daily, monthly, ['2024-02-01'])).toEqual(february);
    expect(down(overlap, monthly, daily, ['2024-02-15'])).toEqual(['2024-02-01']);
  });

  it('drops upstream partitions outside the upstream range (before start, incomplete at now)', () => {
    // Days before the first week and the days of a month that is not over yet read nothing.
    expect(up(overlap, daily, weekly, ['2024-01-03'])).toEqual([]);
    const midMay = new Date('2024-05-20T00:00:00Z');
    expect(up(overlap, daily, monthly, ['2024-05-15'], midMay)).toEqual([]);
    expect(up(overlap, daily, monthly, ['2024-04-15'], midMay)).toEqual(['2024-04-01']);
    const lateHourly = hourlyPartitions({ start: '2024-01-02-12:00' });
    expect(up(overlap, daily, lateHourly, ['2024-01-02'])).toEqual(
      hoursOf('2024-01-02', range(12, 12)),
    );
    expect(up(overlap, daily, lateHourly, ['2024-01-01'])).toEqual([]);
  });

  it('a daily partition on the spring-forward day in America/New_York reads 23 hourly partitions', () => {
    const tz = 'America/New_York';
    const nyDaily = dailyPartitions({ start: '2024-03-01', timezone: tz });
    const nyHourly = hourlyPartitions({ start: '2024-03-01-00:00', timezone: tz });
    const hours = up(overlap, nyDaily, nyHourly, ['2024-03-10']);
    expect(hours).toEqual(hoursOf('2024-03-10', [0, 1, ...range(21, 3)]));
    expect(hours.length).toBe(23);
    expect(down(overlap, nyDaily, nyHourly, ['2024-03-10-03:00'])).toEqual(['2024-03-10']);
    expect(up(overlap, nyDaily, nyHourly, ['2024-03-11']).length).toBe(24);
  });

  it('a daily partition on the fall-back day in America/New_York reads 25 hourly partitions', () => {
    const tz = 'America/New_York';
    const nyDaily = dailyPartitions({ start: '2024-11-01', timezone: tz });
    const nyHourly = hourlyPartitions({ start: '2024-11-01-00:00', timezone: tz });
    const now = new Date('2024-12-01T12:00:00Z');
    const hours = up(overlap, nyDaily, nyHourly, ['2024-11-03'], now);
    expect(hours.length).toBe(25);
    expect(new Set(hours).size).toBe(25);
    expect(hours[0]).toBe('2024-11-03-00:00');
    expect(hours[24]).toBe('2024-11-03-23:00');
    expect(down(overlap, nyDaily, nyHourly, hours, now)).toEqual(['2024-11-03']);
  });
});

describe('timeWindowMapping offsets (in downstream partitions)', () => {
  const may = daily;

  it('matches Dagster: startOffset -1 reads the previous and the current day', () => {
    const m = timeWindowMapping({ startOffset: -1 });
    expect(up(m, may, may, ['2024-05-04'])).toEqual(['2024-05-03', '2024-05-04']);
    expect(down(m, may, may, ['2024-05-03'])).toEqual(['2024-05-03', '2024-05-04']);
    expect(m.describe()).toEqual({ type: 'timeWindow', startOffset: -1, endOffset: 0 });
  });

  it('matches Dagster: endOffset 1 reads the current and the next day', () => {
    const m = timeWindowMapping({ endOffset: 1 });
    expect(up(m, may, may, ['2024-05-04'])).toEqual(['2024-05-04', '2024-05-05']);
    expect(down(m, may, may, ['2024-05-05'])).toEqual(['2024-05-04', '2024-05-05']);
    // The day after the last complete one does not exist yet: dropped.
    expect(up(m, may, may, ['2024-05-31'])).toEqual(['2024-05-31']);
  });

  it('startOffset -1, endOffset -1 is the previous partition (self-dependency)', () => {
    const prev = timeWindowMapping({ startOffset: -1, endOffset: -1 });
    expect(up(prev, daily, daily, ['2024-01-02'])).toEqual(['2024-01-01']);
    expect(up(prev, daily, daily, ['2024-01-01'])).toEqual([]);
    expect(down(prev, daily, daily, ['2024-01-01'])).toEqual(['2024-01-02']);
    expect(down(prev, daily, daily, ['2024-05-31'])).toEqual([]);
    expect(up(prev, daily, daily, ['2024-01-03', '2024-01-02'])).toEqual([
      '2024-01-01',
      '2024-01-02',
    ]);
  });

  it('a rolling week: startOffset -6', () => {
    const m = timeWindowMapping({ startOffset: -6 });
    expect(up(m, daily, daily, ['2024-01-10'])).toEqual(
      range(7, 4).map((d) => `2024-01-${String(d).padStart(2, '0')}`),
    );
    expect(up(m, daily, daily, ['2024-01-03'])).toEqual(['2024-01-01', '2024-01-02', '2024-01-03']);
  });

  it('previous day across definitions with different starts (window before the first partition)', () => {
    const prev = timeWindowMapping({ startOffset: -1, endOffset: -1 });
    const earlier = dailyPartitions({ start: '2023-12-01' });
    expect(up(prev, daily, earlier, ['2024-01-01'])).toEqual(['2023-12-31']);
    expect(up(prev, daily, earlier, ['2024-01-15'])).toEqual(['2024-01-14']);
    expect(down(prev, daily, earlier, ['2023-12-31', '2023-12-30'])).toEqual(['2024-01-01']);
  });

  it('offsets are in downstream units across granularities', () => {
    const m = timeWindowMapping({ startOffset: -1 });
    // daily reading hourly: the previous day's hours too, dropped before the hourly start.
    expect(up(m, daily, hourly, ['2024-01-02'])).toEqual([
      ...hoursOf('2024-01-01', range(24)),
      ...hoursOf('2024-01-02', range(24)),
    ]);
    expect(up(m, daily, hourly, ['2024-01-01'])).toEqual(hoursOf('2024-01-01', range(24)));
    expect(down(m, daily, hourly, ['2024-01-01-05:00'])).toEqual(['2024-01-01', '2024-01-02']);
    // hourly reading daily: one hour back can cross midnight.
    expect(up(m, hourly, daily, ['2024-01-02-00:00'])).toEqual(['2024-01-01', '2024-01-02']);
    expect(up(m, hourly, daily, ['2024-01-02-05:00'])).toEqual(['2024-01-02']);
    expect(down(m, hourly, daily, ['2024-01-01'])).toEqual(
      hoursOf('2024-01-01', range(24)).concat('2024-01-02-00:00'),
    );
  });

  it('works when the downstream definition has no complete partition yet at now', () => {
    const m = timeWindowMapping({ startOffset: -1 });
    const fresh = dailyPartitions({ start: '2024-05-31' });
    const midDay = new Date('2024-05-31T12:00:00Z');
    // '2024-05-31' is not complete yet, so it reads nothing, but upstream hours still map forward
    // to nothing rather than failing.
    expect(up(m, fresh, hourly, ['2024-05-31'], midDay)).toEqual([]);
    expect(down(m, fresh, hourly, ['2024-05-30-05:00'], midDay)).toEqual([]);
    // At the end of the day the first partition exists and reads the previous day too.
    expect(up(m, fresh, hourly, ['2024-05-31']).length).toBe(48);
    expect(down(m, fresh, hourly, ['2024-05-30-05:00'])).toEqual(['2024-05-31']);
  });

  it('endOffset past the last downstream partition reads only existing upstream windows', () => {
    const m = timeWindowMapping({ endOffset: 1 });
    expect(up(m, daily, hourly, ['2024-05-31'])).toEqual(hoursOf('2024-05-31', range(24)));
  });
});

describe('timeWindowMapping validation', () => {
  it('rejects bad offsets', () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return (err as CairnError).code;
      }
      return undefined;
    };
    expect(code(() => timeWindowMapping({ startOffset: 0.5 }))).toBe('CAIRN_INVALID_OPTIONS');
    expect(code(() => timeWindowMapping({ endOffset: '1' as unknown as number }))).toBe(
      'CAIRN_INVALID_OPTIONS',
    );
    expect(code(() => timeWindowMapping({ startOffset: 1, endOffset: 0 }))).toBe(
      'CAIRN_INVALID_OPTIONS',
    );
  });

  it('needs two time-window definitions in one timezone', () => {
    const regions = staticPartitions(['eu', 'us']);
    expect(overlap.incompatibility(daily, regions)).toContain(
      'timeWindow mapping needs both assets to have time-window partitions, but downstream is time-window partitions',
    );
    expect(overlap.incompatibility(undefined, daily)).toContain('downstream is unpartitioned');
    const berlin = dailyPartitions({ start: '2024-01-01', timezone: 'Europe/Berlin' });
    expect(overlap.incompatibility(berlin, hourly)).toBe(
      'timeWindow mapping needs both time-window definitions in the same timezone, but downstream uses Europe/Berlin and upstream uses UTC; give both assets partitions in one timezone',
    );
    expect(overlap.incompatibility(daily, hourly)).toBeUndefined();
    try {
      up(overlap, daily, regions, ['2024-01-01']);
      expect.unreachable();
    } catch (err) {
      expect(isCairnError(err, 'CAIRN_INCOMPATIBLE_MAPPING')).toBe(true);
    }
  });

  it('maps 1,000 daily keys to 24,000 hourly keys', () => {
    const old = dailyPartitions({ start: '2020-01-01' });
    const oldHourly = hourlyPartitions({ start: '2020-01-01-00:00' });
    const keys = old.slice(0, 1000);
    up(overlap, old, oldHourly, keys.slice(0, 10));
    const hours = up(overlap, old, oldHourly, keys);
    expect(hours.length).toBe(24_000);
    expect(hours[0]).toBe('2020-01-01-00:00');
    expect(hours[23_999]).toBe('2022-09-26-23:00');
    // Its speed is measured by bench/core-mappings.ts.
  });
});
