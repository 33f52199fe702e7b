import { CronExpressionParser } from 'cron-parser';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCron } from '../../src/partitions/cron-shape.js';
import {
  dailyPartitions,
  hourlyPartitions,
  monthlyPartitions,
  timeWindowPartitions,
  weeklyPartitions,
} from '../../src/partitions/index.js';
import { IteratedTicks } from '../../src/partitions/iterated-ticks.js';
import { createTicks } from '../../src/partitions/time-window-partitions.js';
import { ZoneRules } from '../../src/partitions/zone-rules.js';

// Zones with ordinary DST, DST at midnight (Havana, Santiago), 30-minute DST (Lord Howe), and
// odd standard offsets (Kathmandu +05:45, Chatham +12:45, St Johns -03:30).
const ZONES = [
  'UTC',
  'America/New_York',
  'Europe/Berlin',
  'Australia/Sydney',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'America/St_Johns',
  'Pacific/Chatham',
  'America/Havana',
  'America/Santiago',
  'Asia/Tehran',
];

/** Cadences with an arithmetic engine, and how many ticks cover about four days or more. */
const cadence = fc.oneof(
  fc
    .record({ step: fc.constantFrom(1, 5, 10, 15, 20, 30, 60), phase: fc.nat(59) })
    .map(({ step, phase }) => {
      const first = phase % step;
      const minutes = step === 60 ? `${first}` : `${first}-59/${step}`;
      return { cron: `${minutes} * * * *`, ticks: Math.min(6000, (4 * 1440) / step) };
    }),
  fc
    .record({ h: fc.nat(23), m: fc.nat(59) })
    .map(({ h, m }) => ({ cron: `${m} ${h} * * *`, ticks: 40 })),
  fc.record({ h: fc.constantFrom(0, 1, 2, 3, 23), m: fc.constantFrom(0, 30) }).map(({ h, m }) => ({
    cron: `${m} ${h} * * *`,
    ticks: 40,
  })),
  fc
    .record({ h: fc.nat(23), m: fc.nat(59), d: fc.nat(6) })
    .map(({ h, m, d }) => ({ cron: `${m} ${h} * * ${d}`, ticks: 12 })),
  fc
    .record({ h: fc.nat(23), m: fc.nat(59), d: fc.integer({ min: 1, max: 28 }) })
    .map(({ h, m, d }) => ({ cron: `${m} ${h} ${d} * *`, ticks: 8 })),
  fc
    .record({ step: fc.constantFrom(2, 3, 4, 6, 8, 12), m: fc.nat(59) })
    .map(({ step, m }) => ({ cron: `${m} */${step} * * *`, ticks: 60 })),
);

// Starts cluster around the DST months of both hemispheres so the windows cross transitions.
const startArb = fc
  .record({
    year: fc.integer({ min: 1975, max: 2035 }),
    month: fc.constantFrom(0, 1, 2, 3, 8, 9, 10, 11),
    day: fc.integer({ min: 1, max: 28 }),
    minute: fc.nat(24 * 60 - 1),
  })
  .map(({ year, month, day, minute }) => Date.UTC(year, month, day) + minute * 60_000);

describe('arithmetic engines agree with cron-parser iteration', () => {
  it('tick instants and containing indexes match for random cadences, zones and starts', () => {
    fc.assert(
      fc.property(cadence, fc.constantFrom(...ZONES), startArb, ({ cron, ticks }, tz, start) => {
        const parsed = parseCron(cron);
        const zone = ZoneRules.for(tz);
        const fast = createTicks(parsed, zone, start);
        const slow = new IteratedTicks(zone, parsed, start);
        for (let k = 0; k < ticks; k++) {
          if (fast.at(k) !== slow.at(k)) {
            throw new Error(
              `${cron} ${tz} start=${new Date(start).toISOString()} k=${k}: ${new Date(fast.at(k)).toISOString()} != ${new Date(slow.at(k)).toISOString()} (${fast.kind})`,
            );
          }
        }
        const last = slow.at(ticks - 1);
        for (let i = 0; i < 20; i++) {
          const t = start - 3_600_000 + Math.floor(((last - start + 3_600_000) * i) / 20) + i * 7;
          expect(fast.floorIndex(t)).toBe(slow.floorIndex(t));
        }
        expect(fast.floorIndex(slow.at(ticks - 1))).toBe(ticks - 1);
        expect(fast.floorIndex(slow.at(ticks - 1) - 1)).toBe(ticks - 2);
      }),
      { numRuns: 200 },
    );
  });

  it('in UTC the ticks are exactly what cron-parser yields', () => {
    fc.assert(
      fc.property(cadence, startArb, ({ cron, ticks }, start) => {
        const ticksSeq = createTicks(parseCron(cron), ZoneRules.for('UTC'), start);
        const it = CronExpressionParser.parse(cron, {
          tz: 'UTC',
          currentDate: new Date(start - 1),
        });
        for (let k = 0; k < Math.min(ticks, 500); k++) {
          expect(ticksSeq.at(k)).toBe(it.next().getTime());
        }
      }),
      { numRuns: 150 },
    );
  });

  it('picks the arithmetic engines for the standard cadences', () => {
    const start = Date.UTC(2020, 0, 1);
    const kind = (cron: string, tz: string) =>
      createTicks(parseCron(cron), ZoneRules.for(tz), start).kind;
    expect(kind('0 * * * *', 'America/New_York')).toBe('absolute');
    expect(kind('*/15 * * * *', 'Asia/Kathmandu')).toBe('absolute');
    expect(kind('0 */6 * * *', 'UTC')).toBe('absolute');
    expect(kind('0 */6 * * *', 'Europe/Berlin')).toBe('iterated');
    expect(kind('0 0 * * *', 'Europe/Berlin')).toBe('calendar');
    expect(kind('0 0 * * 1', 'Europe/Berlin')).toBe('calendar');
    expect(kind('0 0 31 * *', 'Europe/Berlin')).toBe('calendar');
    expect(kind('0 9 * * 1-5', 'UTC')).toBe('iterated');
    expect(kind('0 0 1 * 1', 'UTC')).toBe('iterated');
    expect(kind('0 0 * * 1#2', 'UTC')).toBe('iterated');
  });
});

const definitionArb = fc
  .record({
    kind: fc.constantFrom('hourly', 'daily', 'weekly', 'monthly', 'cron'),
    tz: fc.constantFrom(...ZONES),
    start: startArb,
    offset: fc.nat(59),
    hour: fc.nat(23),
    day: fc.integer({ min: 1, max: 31 }),
  })
  .map(({ kind, tz, start, offset, hour, day }) => {
    const base = { start: new Date(start), timezone: tz };
    if (kind === 'hourly') return hourlyPartitions({ ...base, minuteOffset: offset });
    if (kind === 'daily')
      return dailyPartitions({ ...base, hourOffset: hour, minuteOffset: offset });
    if (kind === 'weekly')
      return weeklyPartitions({ ...base, dayOffset: day % 7, hourOffset: hour });
    if (kind === 'monthly') return monthlyPartitions({ ...base, dayOffset: day });
    return timeWindowPartitions({ ...base, cron: `${offset % 30} 8,20 * * 1-5` });
  });

describe('keys round-trip', () => {
  it('keyAt(indexOf(k)) === k and indexOf(keyAt(i)) === i, keys unique and ordered', () => {
    fc.assert(
      fc.property(
        definitionArb,
        fc.array(fc.nat(), { minLength: 1, maxLength: 30 }),
        (def, picks) => {
          const now = { now: new Date(def.start.getTime() + 400 * 86_400_000) };
          const n = def.count(now);
          expect(n).toBeGreaterThan(0);
          for (const p of picks) {
            const i = p % n;
            const key = def.keyAt(i, now);
            expect(def.indexOf(key, now)).toBe(i);
            expect(def.keyAt(def.indexOf(key, now), now)).toBe(key);
            const w = def.timeWindow(key);
            expect(def.indexContaining(w.start)).toBe(i);
            expect(def.indexContaining(new Date(w.end.getTime() - 1))).toBe(i);
            expect(w.end.getTime()).toBeGreaterThan(w.start.getTime());
          }
          const first = def.slice(0, 200, now);
          expect(new Set(first).size).toBe(first.length);
          for (let i = 1; i < first.length; i++) {
            expect(def.timeWindow(first[i]!).start).toEqual(def.timeWindow(first[i - 1]!).end);
          }
        },
      ),
      { numRuns: 120 },
    );
  });

  it('indexRangeOverlapping returns the windows intersecting [start, end)', () => {
    fc.assert(
      fc.property(definitionArb, fc.nat(200), fc.nat(5000), (def, a, lenHours) => {
        const s = new Date(def.start.getTime() + a * 3_600_000 + 123);
        const e = new Date(s.getTime() + lenHours * 60_000);
        const { startIndex, endIndex } = def.indexRangeOverlapping(s, e);
        const now = { now: new Date(e.getTime() + 60 * 86_400_000) };
        for (let i = Math.max(0, startIndex - 2); i < endIndex + 2; i++) {
          const w = def.windowAt(i);
          const overlaps = e > s && w.start < e && w.end > s;
          expect(overlaps).toBe(i >= startIndex && i < endIndex);
        }
        expect(endIndex).toBeLessThanOrEqual(def.count(now));
      }),
      { numRuns: 120 },
    );
  });
});
