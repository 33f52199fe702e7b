import { describe, expect, it } from 'vitest';
import {
  dailyPartitions,
  hourlyPartitions,
  timeWindowPartitions,
} from '../../src/partitions/index.js';

const at = (iso: string) => ({ now: new Date(iso) });
const hours = (w: { start: Date; end: Date }) => (w.end.getTime() - w.start.getTime()) / 3_600_000;

describe('daily windows across DST', () => {
  it('America/New_York: 23h in spring, 25h in autumn, midnight to midnight', () => {
    const d = dailyPartitions({ start: '2024-03-09', timezone: 'America/New_York' });
    expect(hours(d.timeWindow('2024-03-09'))).toBe(24);
    expect(d.timeWindow('2024-03-10')).toEqual({
      start: new Date('2024-03-10T05:00:00Z'),
      end: new Date('2024-03-11T04:00:00Z'),
    });
    expect(hours(d.timeWindow('2024-03-10'))).toBe(23);
    expect(hours(d.timeWindow('2024-11-03'))).toBe(25);
    expect(d.timeWindow('2024-11-03').start).toEqual(new Date('2024-11-03T04:00:00Z'));
    // 2024-03-09 .. 2024-11-04 are complete by 2024-11-05 05:00Z (midnight EST).
    expect(d.count(at('2024-11-05T05:00:00Z'))).toBe(241);
    expect(d.count(at('2024-11-05T04:59:59Z'))).toBe(240);
  });

  it('Europe/Berlin: 23h on 2024-03-31, 25h on 2024-10-27', () => {
    const d = dailyPartitions({ start: '2024-03-01', timezone: 'Europe/Berlin' });
    expect(hours(d.timeWindow('2024-03-30'))).toBe(24);
    expect(hours(d.timeWindow('2024-03-31'))).toBe(23);
    expect(hours(d.timeWindow('2024-10-27'))).toBe(25);
    expect(d.timeWindow('2024-10-27')).toEqual({
      start: new Date('2024-10-26T22:00:00Z'),
      end: new Date('2024-10-27T23:00:00Z'),
    });
  });

  it('a time skipped in spring fires at the end of the gap (Dagster: 2:30 -> 3:00)', () => {
    const d = dailyPartitions({
      start: '2024-03-09',
      timezone: 'America/New_York',
      hourOffset: 2,
      minuteOffset: 30,
    });
    expect(d.keys(at('2024-03-12T12:00:00Z'))).toEqual(['2024-03-09', '2024-03-10', '2024-03-11']);
    expect(d.timeWindow('2024-03-10')).toEqual({
      start: new Date('2024-03-10T07:00:00Z'), // 03:00 EDT
      end: new Date('2024-03-11T06:30:00Z'), // 02:30 EDT
    });
  });

  it('a repeated autumn time fires at its second occurrence (Dagster docs)', () => {
    const ny = dailyPartitions({
      start: '2024-11-01',
      timezone: 'America/New_York',
      hourOffset: 1,
      minuteOffset: 30,
    });
    expect(ny.timeWindow('2024-11-03').start).toEqual(new Date('2024-11-03T06:30:00Z')); // 01:30 EST
    expect(ny.timeWindow('2024-11-02').end).toEqual(new Date('2024-11-03T06:30:00Z'));
    const berlin = dailyPartitions({
      start: '2024-03-01',
      timezone: 'Europe/Berlin',
      hourOffset: 2,
    });
    expect(berlin.timeWindow('2024-10-27').start).toEqual(new Date('2024-10-27T01:00:00Z')); // 02:00 CET
    expect(berlin.timeWindow('2024-03-31').start).toEqual(new Date('2024-03-31T01:00:00Z')); // 03:00 CEST
  });
});

describe('hourly windows across DST', () => {
  it('America/New_York spring: 02:00 does not exist', () => {
    const h = hourlyPartitions({ start: '2024-03-10-00:00', timezone: 'America/New_York' });
    const now = at('2024-03-10T09:00:00Z');
    expect(h.keys(now)).toEqual([
      '2024-03-10-00:00',
      '2024-03-10-01:00',
      '2024-03-10-03:00',
      '2024-03-10-04:00',
    ]);
    expect(hours(h.timeWindow('2024-03-10-01:00'))).toBe(1);
    expect(h.indexOf('2024-03-10-02:00', now)).toBe(-1);
  });

  it('America/New_York autumn: the repeated 01:00 gets a unique, offset-suffixed key', () => {
    const h = hourlyPartitions({ start: '2024-11-03-00:00', timezone: 'America/New_York' });
    const now = at('2024-11-03T09:00:00Z');
    const keys = h.keys(now);
    expect(keys).toEqual([
      '2024-11-03-00:00',
      '2024-11-03-01:00',
      '2024-11-03-01:00-0500',
      '2024-11-03-02:00',
      '2024-11-03-03:00',
    ]);
    expect(new Set(keys).size).toBe(keys.length);
    expect(h.timeWindow('2024-11-03-01:00')).toEqual({
      start: new Date('2024-11-03T05:00:00Z'),
      end: new Date('2024-11-03T06:00:00Z'),
    });
    expect(h.timeWindow('2024-11-03-01:00-0500')).toEqual({
      start: new Date('2024-11-03T06:00:00Z'),
      end: new Date('2024-11-03T07:00:00Z'),
    });
    expect(h.indexOf('2024-11-03-01:00-0500', now)).toBe(2);
    expect(h.indexOf('2024-11-03-01:00-0400', now)).toBe(-1);
    expect(h.indexOf('2024-11-03-02:00-0500', now)).toBe(-1);
    expect(h.range('2024-11-03-01:00', '2024-11-03-02:00', now)).toEqual([
      '2024-11-03-01:00',
      '2024-11-03-01:00-0500',
      '2024-11-03-02:00',
    ]);
    expect(h.indexContaining(new Date('2024-11-03T06:30:00Z'))).toBe(2);
  });

  it('Europe/Berlin spring and autumn', () => {
    const h = hourlyPartitions({ start: '2024-03-31-01:00', timezone: 'Europe/Berlin' });
    expect(h.slice(0, 3, at('2024-04-01T00:00:00Z'))).toEqual([
      '2024-03-31-01:00',
      '2024-03-31-03:00',
      '2024-03-31-04:00',
    ]);
    const a = hourlyPartitions({ start: '2024-10-27-01:00', timezone: 'Europe/Berlin' });
    expect(a.slice(0, 4, at('2024-10-28T00:00:00Z'))).toEqual([
      '2024-10-27-01:00',
      '2024-10-27-02:00',
      '2024-10-27-02:00+0100',
      '2024-10-27-03:00',
    ]);
    // 2024-10-27 local has 25 hourly windows.
    const day = hourlyPartitions({ start: '2024-10-27-00:00', timezone: 'Europe/Berlin' });
    expect(day.indexOf('2024-10-28-00:00', at('2024-10-29T00:00:00Z'))).toBe(25);
  });

  it('every 30 minutes keeps both occurrences of the repeated half hours', () => {
    const t = timeWindowPartitions({
      cron: '*/30 * * * *',
      start: '2024-11-03-01:00',
      timezone: 'America/New_York',
    });
    expect(t.engine).toBe('absolute');
    expect(t.slice(0, 5, at('2024-11-04T00:00:00Z'))).toEqual([
      '2024-11-03-01:00',
      '2024-11-03-01:30',
      '2024-11-03-01:00-0500',
      '2024-11-03-01:30-0500',
      '2024-11-03-02:00',
    ]);
  });

  it('a format with an offset needs no suffix', () => {
    const h = hourlyPartitions({
      start: '2024-11-03T00:00-04:00',
      timezone: 'America/New_York',
      fmt: 'yyyy-MM-dd-HH:mmZZ',
    });
    expect(h.slice(1, 3, at('2024-11-04T00:00:00Z'))).toEqual([
      '2024-11-03-01:00-04:00',
      '2024-11-03-01:00-05:00',
    ]);
    expect(h.indexOf('2024-11-03-01:00-05:00', at('2024-11-04T00:00:00Z'))).toBe(2);
  });

  it('half-hour zones tick at local :00 (Asia/Kolkata, +05:30)', () => {
    const h = hourlyPartitions({ start: '2024-01-01-00:00', timezone: 'Asia/Kolkata' });
    expect(h.timeWindow('2024-01-01-00:00').start).toEqual(new Date('2023-12-31T18:30:00Z'));
    expect(h.engine).toBe('absolute');
  });

  it('falls back to iteration where DST shifts by 30 minutes (Australia/Lord_Howe)', () => {
    const h = hourlyPartitions({ start: '2024-04-07-00:00', timezone: 'Australia/Lord_Howe' });
    expect(h.engine).toBe('iterated');
    // 2024-04-07 02:00 +11 -> 01:30 +10:30: 01:00 and 01:30..02:00 repeat.
    expect(h.slice(0, 4, at('2024-04-08T00:00:00Z'))).toEqual([
      '2024-04-07-00:00',
      '2024-04-07-01:00',
      '2024-04-07-02:00',
      '2024-04-07-03:00',
    ]);
    expect(hours(h.timeWindow('2024-04-07-01:00'))).toBe(1.5);
  });
});

describe('timezone validation', () => {
  it('rejects an unknown timezone naming it', () => {
    expect(() => dailyPartitions({ start: '2024-01-01', timezone: 'Mars/Olympus' })).toThrowError(
      expect.objectContaining({
        code: 'CAIRN_INVALID_TIMEZONE',
        message: expect.stringContaining('"Mars/Olympus"'),
      }),
    );
  });

  it('canonicalizes the timezone name', () => {
    expect(dailyPartitions({ start: '2024-01-01', timezone: 'utc' }).timezone).toBe('UTC');
  });
});
