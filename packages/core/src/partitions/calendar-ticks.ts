import type { TickSequence } from './tick-sequence.js';
import { MS, type ZoneRules } from './zone-rules.js';

/**
 * Ticks at a fixed local time on every day, on one weekday, or on one day of every month, computed
 * with local calendar arithmetic (O(1)), so a daily window is 23 or 25 hours long across DST
 * changes. A local time skipped in spring resolves to the first instant after the gap and a repeated
 * autumn time to its second occurrence, as Dagster does. A monthly day beyond the month's length is
 * clamped to its last day, so there is exactly one window per month.
 */
export class CalendarTicks implements TickSequence {
  readonly kind = 'calendar' as const;
  private readonly zone: ZoneRules;
  private readonly cadence: 'daily' | 'weekly' | 'monthly';
  private readonly timeMs: number;
  private readonly dayOfMonth: number;
  /** Local day number (days since 1970-01-01) or month number (year*12 + month) of tick 0. */
  private readonly origin: number;

  constructor(
    zone: ZoneRules,
    startMs: number,
    spec:
      | { cadence: 'daily'; minuteOfDay: number }
      | { cadence: 'weekly'; minuteOfDay: number; dayOfWeek: number }
      | { cadence: 'monthly'; minuteOfDay: number; dayOfMonth: number },
  ) {
    this.zone = zone;
    this.cadence = spec.cadence;
    this.timeMs = spec.minuteOfDay * MS.MINUTE;
    this.dayOfMonth = spec.cadence === 'monthly' ? spec.dayOfMonth : 0;
    const startWall = zone.wallOf(startMs);
    const day = Math.floor(startWall / MS.DAY);
    let origin: number;
    if (spec.cadence === 'daily') origin = day;
    else if (spec.cadence === 'weekly') origin = day + mod(spec.dayOfWeek - weekday(day), 7);
    else origin = monthNumber(startWall);
    // The unit containing the start may tick before it; DST can also shift a tick across units.
    const unit = this.cadence === 'weekly' ? 7 : 1;
    while (this.tickOf(origin - unit) >= startMs) origin -= unit;
    while (this.tickOf(origin) < startMs) origin += unit;
    this.origin = origin;
  }

  at(k: number): number {
    return this.tickOf(this.origin + (this.cadence === 'weekly' ? 7 * k : k));
  }

  floorIndex(instant: number): number {
    if (instant < this.at(0)) return -1;
    const wall = this.zone.wallOf(instant);
    let k: number;
    if (this.cadence === 'daily') k = Math.floor(wall / MS.DAY) - this.origin;
    else if (this.cadence === 'weekly')
      k = Math.floor((Math.floor(wall / MS.DAY) - this.origin) / 7);
    else k = monthNumber(wall) - this.origin;
    while (k > 0 && this.at(k) > instant) k--;
    while (this.at(k + 1) <= instant) k++;
    return k;
  }

  /** The tick instant of a day number (daily/weekly) or month number (monthly). */
  private tickOf(unit: number): number {
    let day = unit;
    if (this.cadence === 'monthly') {
      const year = Math.floor(unit / 12);
      const month = unit - year * 12;
      const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
      day = Math.floor(Date.UTC(year, month, Math.min(this.dayOfMonth, lastDay)) / MS.DAY);
    }
    return this.zone.instantOf(day * MS.DAY + this.timeMs, 'later');
  }
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

/** Day of week (0 = Sunday) of a day number; 1970-01-01 was a Thursday. */
function weekday(day: number): number {
  return mod(day + 4, 7);
}

/** year * 12 + month (0-based) of a wall time. */
function monthNumber(wall: number): number {
  const d = new Date(wall);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}
