import { describe, expect, it } from 'vitest';
import {
  dailyPartitions,
  hourlyPartitions,
  monthlyPartitions,
  timeWindowPartitions,
  weeklyPartitions,
} from '../../src/partitions/index.js';

const err = (code: string, text?: string) =>
  expect.objectContaining({ code, ...(text ? { message: expect.stringContaining(text) } : {}) });

describe('time-window validation', () => {
  it.each(['not a cron', '0 0 * *', '0 0 0 * * *', '61 * * * *', '0 0 30 2 *', '@reboot', ''])(
    'rejects cron %j with CAIRN_INVALID_CRON naming it',
    (cron) => {
      expect(() => timeWindowPartitions({ cron, start: '2024-01-01' })).toThrowError(
        err('CAIRN_INVALID_CRON', JSON.stringify(cron)),
      );
    },
  );

  it('accepts cron aliases', () => {
    expect(
      timeWindowPartitions({ cron: '@daily', start: '2024-01-01' }).keyAt(0, {
        now: new Date('2024-01-03'),
      }),
    ).toBe('2024-01-01');
  });

  it('rejects bad starts, ends and offsets', () => {
    expect(() => dailyPartitions({ start: 'yesterday' })).toThrowError(
      err('CAIRN_INVALID_PARTITIONS', '"yesterday"'),
    );
    expect(() => dailyPartitions({ start: new Date('nope') })).toThrowError(
      err('CAIRN_INVALID_PARTITIONS'),
    );
    expect(() => dailyPartitions({ start: '2024-02-30' })).toThrowError(
      err('CAIRN_INVALID_PARTITIONS'),
    );
    expect(() => dailyPartitions({ start: '2024-01-02', end: '2024-01-01' })).toThrowError(
      err('CAIRN_INVALID_PARTITIONS'),
    );
    expect(() => dailyPartitions({ start: '2024-01-01', endOffset: 0.5 })).toThrowError(
      err('CAIRN_INVALID_OPTIONS'),
    );
    expect(() => hourlyPartitions({ start: '2024-01-01', minuteOffset: 60 })).toThrowError(
      err('CAIRN_INVALID_OPTIONS', 'minuteOffset'),
    );
    expect(() => dailyPartitions({ start: '2024-01-01', hourOffset: 24 })).toThrowError(
      err('CAIRN_INVALID_OPTIONS'),
    );
    expect(() => weeklyPartitions({ start: '2024-01-01', dayOffset: 7 })).toThrowError(
      err('CAIRN_INVALID_OPTIONS'),
    );
    expect(() => monthlyPartitions({ start: '2024-01-01', dayOffset: 0 })).toThrowError(
      err('CAIRN_INVALID_OPTIONS'),
    );
    expect(() => hourlyPartitions({ start: '2024-01-01', hourOffset: 2 } as never)).toThrowError(
      err('CAIRN_INVALID_OPTIONS', 'hourOffset'),
    );
  });

  it('rejects out-of-range indexes and unknown keys', () => {
    const d = dailyPartitions({ start: '2024-01-01' });
    const now = { now: new Date('2024-01-03T00:00:00Z') };
    expect(() => d.keyAt(2, now)).toThrowError(err('CAIRN_UNKNOWN_PARTITION', '2'));
    expect(() => d.keyAt(-1, now)).toThrowError(err('CAIRN_UNKNOWN_PARTITION'));
    expect(d.indexOf('2024-01-03', now)).toBe(-1);
    expect(d.indexOf('2023-12-31', now)).toBe(-1);
    expect(d.indexOf('garbage', now)).toBe(-1);
    expect(() => d.timeWindow('garbage')).toThrowError(err('CAIRN_UNKNOWN_PARTITION', '"garbage"'));
    expect(() => d.range('2024-01-02', '2024-01-01', now)).toThrowError(
      err('CAIRN_INVALID_PARTITION_RANGE'),
    );
    expect(() => d.count({ now: new Date('x') })).toThrowError(err('CAIRN_INVALID_OPTIONS'));
  });

  it('answers windows past now (timeWindow ignores the now cut-off)', () => {
    const d = dailyPartitions({ start: '2024-01-01' });
    expect(d.timeWindow('2030-01-01').start).toEqual(new Date('2030-01-01T00:00:00Z'));
    expect(d.indexContaining(new Date('2023-06-01T00:00:00Z'))).toBe(-1);
    expect(d.indexContaining(new Date('2024-01-02T12:00:00Z'))).toBe(1);
    expect(
      d.indexRangeOverlapping(new Date('2023-12-30T00:00:00Z'), new Date('2024-01-02T00:00:01Z')),
    ).toEqual({
      startIndex: 0,
      endIndex: 2,
    });
    expect(
      d.indexRangeOverlapping(new Date('2024-01-05T00:00:00Z'), new Date('2024-01-05T00:00:00Z')),
    ).toEqual({
      startIndex: 4,
      endIndex: 4,
    });
  });
});
