import { describe, expect, it } from 'vitest';
import {
  dailyPartitions,
  hourlyPartitions,
  monthlyPartitions,
  timeWindowPartitions,
  weeklyPartitions,
} from '../../src/partitions/index.js';

// Expected keys follow Dagster's Daily/Hourly/Weekly/MonthlyPartitionsDefinition: the first window
// is the first cron tick at or after start, the last is the last window that ended by `now`.
const at = (iso: string) => ({ now: new Date(iso) });

describe('daily partitions (Dagster DailyPartitionsDefinition)', () => {
  const daily = dailyPartitions({ start: '2021-05-05' });

  it('lists complete days up to now', () => {
    expect(daily.keys(at('2021-05-07T01:00:00Z'))).toEqual(['2021-05-05', '2021-05-06']);
    expect(daily.count(at('2021-05-07T01:00:00Z'))).toBe(2);
    expect(daily.cron).toBe('0 0 * * *');
    expect(daily.fmt).toBe('yyyy-MM-dd');
    expect(daily.timezone).toBe('UTC');
  });

  it('includes a day exactly when its end equals now', () => {
    expect(daily.count(at('2021-05-07T00:00:00Z'))).toBe(2);
    expect(daily.count(at('2021-05-06T23:59:59.999Z'))).toBe(1);
    expect(daily.count(at('2021-05-05T12:00:00Z'))).toBe(0);
    expect(daily.count(at('2020-01-01T00:00:00Z'))).toBe(0);
  });

  it('counts arithmetically far from start', () => {
    // Ten years with the leap days of 2024 and 2028.
    expect(daily.count(at('2031-05-05T00:00:00Z'))).toBe(3652);
    expect(daily.keyAt(3651, at('2031-05-05T00:00:00Z'))).toBe('2031-05-04');
    expect(daily.indexOf('2031-05-04', at('2031-05-05T00:00:00Z'))).toBe(3651);
    expect(daily.engine).toBe('calendar');
  });

  it('starts at the first tick at or after a start that is not on a tick', () => {
    const d = dailyPartitions({ start: '2021-05-05T06:00' });
    expect(d.keys(at('2021-05-08T00:00:00Z'))).toEqual(['2021-05-06', '2021-05-07']);
  });

  it('applies hour and minute offsets to the cron', () => {
    const d = dailyPartitions({ start: '2024-01-01', hourOffset: 3, minuteOffset: 15 });
    expect(d.cron).toBe('15 3 * * *');
    expect(d.keys(at('2024-01-03T03:15:00Z'))).toEqual(['2024-01-01', '2024-01-02']);
    expect(d.timeWindow('2024-01-01')).toEqual({
      start: new Date('2024-01-01T03:15:00Z'),
      end: new Date('2024-01-02T03:15:00Z'),
    });
  });

  it('honours endOffset like Dagster end_offset', () => {
    const now = at('2021-05-07T01:00:00Z');
    expect(dailyPartitions({ start: '2021-05-05', endOffset: 1 }).keys(now)).toEqual([
      '2021-05-05',
      '2021-05-06',
      '2021-05-07',
    ]);
    expect(dailyPartitions({ start: '2021-05-05', endOffset: 2 }).count(now)).toBe(4);
    expect(dailyPartitions({ start: '2021-05-05', endOffset: -1 }).keys(now)).toEqual([
      '2021-05-05',
    ]);
    expect(dailyPartitions({ start: '2021-05-05', endOffset: -5 }).count(now)).toBe(0);
  });

  it('bounds the last window by end (exclusive), also with endOffset', () => {
    const d = dailyPartitions({ start: '2024-01-01', end: '2024-01-04' });
    expect(d.keys(at('2030-01-01T00:00:00Z'))).toEqual(['2024-01-01', '2024-01-02', '2024-01-03']);
    expect(d.keys(at('2024-01-02T12:00:00Z'))).toEqual(['2024-01-01']);
    const e = dailyPartitions({ start: '2024-01-01', end: '2024-01-04', endOffset: 5 });
    expect(e.count(at('2024-01-02T12:00:00Z'))).toBe(3);
    const f = dailyPartitions({ start: '2024-01-01', end: '2024-01-04', endOffset: -1 });
    expect(f.keys(at('2030-01-01T00:00:00Z'))).toEqual(['2024-01-01', '2024-01-02']);
    expect(d.timeWindow('2024-01-03').end).toEqual(new Date('2024-01-04T00:00:00Z'));
    expect(() => d.timeWindow('2024-01-04')).toThrowError(/not a partition/);
  });

  it('accepts a Date start as an instant', () => {
    const d = dailyPartitions({ start: new Date('2024-01-01T00:00:00Z') });
    expect(d.keyAt(0, at('2024-02-01T00:00:00Z'))).toBe('2024-01-01');
  });
});

describe('hourly partitions (Dagster HourlyPartitionsDefinition)', () => {
  it('keys windows yyyy-MM-dd-HH:mm', () => {
    const h = hourlyPartitions({ start: '2021-05-05-01:00' });
    expect(h.cron).toBe('0 * * * *');
    expect(h.fmt).toBe('yyyy-MM-dd-HH:mm');
    expect(h.keys(at('2021-05-05T04:30:00Z'))).toEqual([
      '2021-05-05-01:00',
      '2021-05-05-02:00',
      '2021-05-05-03:00',
    ]);
    expect(h.engine).toBe('absolute');
  });

  it('accepts an ISO start and a minute offset', () => {
    const h = hourlyPartitions({ start: '2021-05-05', minuteOffset: 30 });
    expect(h.cron).toBe('30 * * * *');
    expect(h.keys(at('2021-05-05T02:30:00Z'))).toEqual(['2021-05-05-00:30', '2021-05-05-01:30']);
    const h2 = hourlyPartitions({ start: '2021-05-05T22:00', endOffset: 1 });
    expect(h2.keys(at('2021-05-05T23:10:00Z'))).toEqual(['2021-05-05-22:00', '2021-05-05-23:00']);
  });

  it('crosses midnight and month ends', () => {
    const h = hourlyPartitions({ start: '2024-02-29-22:00' });
    expect(h.keys(at('2024-03-01T01:00:00Z'))).toEqual([
      '2024-02-29-22:00',
      '2024-02-29-23:00',
      '2024-03-01-00:00',
    ]);
  });
});

describe('weekly partitions (Dagster WeeklyPartitionsDefinition)', () => {
  it('starts weeks on Sunday by default, keyed by start date', () => {
    const w = weeklyPartitions({ start: '2024-01-01' }); // a Monday
    expect(w.cron).toBe('0 0 * * 0');
    expect(w.keys(at('2024-01-28T00:00:00Z'))).toEqual(['2024-01-07', '2024-01-14', '2024-01-21']);
    expect(w.timeWindow('2024-01-07')).toEqual({
      start: new Date('2024-01-07T00:00:00Z'),
      end: new Date('2024-01-14T00:00:00Z'),
    });
  });

  it('uses dayOffset as the day of week', () => {
    const w = weeklyPartitions({ start: '2024-01-01', dayOffset: 1, hourOffset: 6 });
    expect(w.cron).toBe('0 6 * * 1');
    expect(w.keys(at('2024-01-15T05:59:59Z'))).toEqual(['2024-01-01']);
    expect(w.keys(at('2024-01-15T06:00:00Z'))).toEqual(['2024-01-01', '2024-01-08']);
  });
});

describe('monthly partitions (Dagster MonthlyPartitionsDefinition)', () => {
  it('keys months by their start date', () => {
    const m = monthlyPartitions({ start: '2021-05-01' });
    expect(m.cron).toBe('0 0 1 * *');
    expect(m.keys(at('2021-08-15T00:00:00Z'))).toEqual(['2021-05-01', '2021-06-01', '2021-07-01']);
    expect(m.timeWindow('2021-06-01')).toEqual({
      start: new Date('2021-06-01T00:00:00Z'),
      end: new Date('2021-07-01T00:00:00Z'),
    });
  });

  it('uses dayOffset as the day of month', () => {
    const m = monthlyPartitions({ start: '2021-05-01', dayOffset: 15 });
    expect(m.keys(at('2021-08-15T00:00:00Z'))).toEqual(['2021-05-15', '2021-06-15', '2021-07-15']);
  });

  it('clamps day 31 to the last day of each month (one window per month)', () => {
    const m = monthlyPartitions({ start: '2023-12-01', dayOffset: 31 });
    expect(m.keys(at('2024-08-01T00:00:00Z'))).toEqual([
      '2023-12-31',
      '2024-01-31',
      '2024-02-29',
      '2024-03-31',
      '2024-04-30',
      '2024-05-31',
      '2024-06-30',
    ]);
    expect(m.timeWindow('2024-02-29')).toEqual({
      start: new Date('2024-02-29T00:00:00Z'),
      end: new Date('2024-03-31T00:00:00Z'),
    });
    expect(m.indexOf('2024-02-28', at('2024-08-01T00:00:00Z'))).toBe(-1);
    const m30 = monthlyPartitions({ start: '2023-01-01', dayOffset: 30 });
    expect(m30.slice(0, 3, at('2024-01-01T00:00:00Z'))).toEqual([
      '2023-01-30',
      '2023-02-28',
      '2023-03-30',
    ]);
  });
});

describe('timeWindowPartitions with any cron', () => {
  it('iterates crons without an arithmetic shape (weekdays at 9:00)', () => {
    const t = timeWindowPartitions({ cron: '0 9 * * 1-5', start: '2024-01-05' }); // Friday
    expect(t.engine).toBe('iterated');
    expect(t.fmt).toBe('yyyy-MM-dd');
    expect(t.keys(at('2024-01-10T10:00:00Z'))).toEqual(['2024-01-05', '2024-01-08', '2024-01-09']);
    expect(t.timeWindow('2024-01-05')).toEqual({
      start: new Date('2024-01-05T09:00:00Z'),
      end: new Date('2024-01-08T09:00:00Z'),
    });
    expect(t.indexOf('2024-01-06', at('2024-01-10T10:00:00Z'))).toBe(-1);
    expect(t.indexOf('2024-01-09', at('2024-01-10T10:00:00Z'))).toBe(2);
  });

  it('uses the sub-daily default format for every-15-minutes', () => {
    const t = timeWindowPartitions({ cron: '*/15 * * * *', start: '2024-01-01T00:10' });
    expect(t.fmt).toBe('yyyy-MM-dd-HH:mm');
    expect(t.engine).toBe('absolute');
    expect(t.keys(at('2024-01-01T01:00:00Z'))).toEqual([
      '2024-01-01-00:15',
      '2024-01-01-00:30',
      '2024-01-01-00:45',
    ]);
  });

  it('treats every-6-hours in UTC arithmetically', () => {
    const t = timeWindowPartitions({ cron: '30 */6 * * *', start: '2024-01-01' });
    expect(t.engine).toBe('absolute');
    expect(t.keys(at('2024-01-02T00:30:00Z'))).toEqual([
      '2024-01-01-00:30',
      '2024-01-01-06:30',
      '2024-01-01-12:30',
      '2024-01-01-18:30',
    ]);
  });

  it('formats keys with a custom fast-path fmt', () => {
    const d = dailyPartitions({ start: '20240101', fmt: 'yyyyMMdd' });
    expect(d.keys(at('2024-01-03T00:00:00Z'))).toEqual(['20240101', '20240102']);
    expect(d.indexOf('20240102', at('2024-01-03T00:00:00Z'))).toBe(1);
    expect(d.indexOf('2024-01-02', at('2024-01-03T00:00:00Z'))).toBe(-1);
  });

  it('formats keys with any Luxon fmt (slow path)', () => {
    const d = dailyPartitions({ start: '2024-01-30', fmt: 'LLL d, yyyy' });
    expect(d.keys(at('2024-02-02T00:00:00Z'))).toEqual([
      'Jan 30, 2024',
      'Jan 31, 2024',
      'Feb 1, 2024',
    ]);
    expect(d.indexOf('Feb 1, 2024', at('2024-02-02T00:00:00Z'))).toBe(2);
    const h = hourlyPartitions({ start: '2024-01-01T00', fmt: "yyyy-MM-dd'T'HH" });
    expect(h.slice(0, 2, at('2024-01-02T00:00:00Z'))).toEqual(['2024-01-01T00', '2024-01-01T01']);
    expect(h.indexOf('2024-01-01T05', at('2024-01-02T00:00:00Z'))).toBe(5);
  });

  it('rejects a fmt too coarse to tell windows apart', () => {
    expect(() => hourlyPartitions({ start: '2024-01-01', fmt: 'yyyy-MM-dd' })).toThrowError(
      expect.objectContaining({ code: 'CAIRN_INVALID_OPTIONS' }),
    );
  });
});
