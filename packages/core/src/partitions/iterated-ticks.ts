import { type CronExpression, CronExpressionParser } from 'cron-parser';
import { CairnError } from '../errors.js';
import type { ParsedCron } from './cron-shape.js';
import type { TickSequence } from './tick-sequence.js';
import { MS, type ZoneRules } from './zone-rules.js';

/** Iterating past this many windows means the cron needs an arithmetic cadence instead. */
const MAX_ITERATED_TICKS = 5_000_000;
/** Offsets stay within [-12h, +14h], so an instant is final once the wall clock is 16h past it. */
const FINAL_AFTER = 16 * MS.HOUR;

/**
 * Ticks of any cron, found by iterating cron-parser over wall-clock time and mapping each wall tick
 * to instants with Dagster's DST rules, cached as they are computed. Crons whose hour field matches
 * every hour skip wall times that do not exist and fire at both occurrences of a repeated time;
 * others fire at the end of a spring gap and at the second occurrence of a repeated time.
 */
export class IteratedTicks implements TickSequence {
  readonly kind = 'iterated' as const;
  private readonly zone: ZoneRules;
  private readonly parsed: ParsedCron;
  private readonly startMs: number;
  private readonly iter: CronExpression;
  private readonly starts: number[] = [];
  private pending: number[] = [];
  private done = false;

  constructor(zone: ZoneRules, parsed: ParsedCron, startMs: number) {
    this.zone = zone;
    this.parsed = parsed;
    this.startMs = startMs;
    // Start a day early: a wall tick before the start's wall time can still map to an instant >= start.
    this.iter = CronExpressionParser.parse(parsed.cron, {
      tz: 'UTC',
      currentDate: new Date(zone.wallOf(startMs) - MS.DAY - 1000),
    });
  }

  at(k: number): number {
    while (this.starts.length <= k && !this.done) this.step();
    const t = this.starts[k];
    if (t === undefined) {
      throw new CairnError(
        'CAIRN_UNKNOWN_PARTITION',
        `Cron ${JSON.stringify(this.parsed.cron)} has no window number ${k}: it stops firing before that.`,
        { cron: this.parsed.cron, index: k },
      );
    }
    return t;
  }

  floorIndex(instant: number): number {
    if (instant < this.at(0)) return -1;
    while (!this.done && this.starts[this.starts.length - 1]! <= instant) this.step();
    // Binary search for the last start <= instant.
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= instant) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Consumes one wall-clock tick from cron-parser and finalizes the instants that can no longer move. */
  private step(): void {
    let wall: number;
    try {
      wall = this.iter.next().getTime();
    } catch {
      this.done = true;
      this.finalize(Number.POSITIVE_INFINITY);
      return;
    }
    const r = this.zone.resolve(wall);
    const hourly = this.parsed.repeatsEveryHour;
    if (r.kind === 'unique') this.pending.push(r.instant);
    else if (r.kind === 'gap') {
      if (!hourly) this.pending.push(r.transition);
    } else if (hourly) this.pending.push(r.first, r.second);
    else this.pending.push(r.second);
    this.finalize(wall - FINAL_AFTER);
  }

  private finalize(limit: number): void {
    if (this.pending.length === 0) return;
    this.pending.sort((a, b) => a - b);
    let i = 0;
    for (; i < this.pending.length && this.pending[i]! < limit; i++) {
      const t = this.pending[i]!;
      const last = this.starts[this.starts.length - 1];
      if (t >= this.startMs && (last === undefined || t > last)) this.starts.push(t);
    }
    if (i > 0) this.pending = this.pending.slice(i);
    if (this.starts.length > MAX_ITERATED_TICKS) {
      throw new CairnError(
        'CAIRN_INVALID_PARTITIONS',
        `Cron ${JSON.stringify(this.parsed.cron)} needs more than ${MAX_ITERATED_TICKS} iterated windows; use a standard cadence (every N minutes, daily, weekly, monthly) or a later start.`,
        { cron: this.parsed.cron },
      );
    }
  }
}
