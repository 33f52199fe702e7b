import { CairnError } from '../errors.js';
import { AbsoluteTicks } from './absolute-ticks.js';
import { CalendarTicks } from './calendar-ticks.js';
import { type ParsedCron, parseCron } from './cron-shape.js';
import { checkIndex, clampSlice, nowOf, rangeOf, unknownPartition } from './definition-helpers.js';
import { IteratedTicks } from './iterated-ticks.js';
import type {
  PartitionsContext,
  PartitionsDefinition,
  PartitionsSnapshot,
  TimeWindow,
  TimeWindowPartitionsDefinition,
} from './partitions-definition.js';
import { ceilIndex, type TickSequence } from './tick-sequence.js';
import { WindowKeyCodec } from './window-key-codec.js';
import { MS, ZoneRules } from './zone-rules.js';

/** Options of `timeWindowPartitions`. */
export interface TimeWindowPartitionsOptions {
  /** 5-field cron whose ticks are the window boundaries, e.g. `0 0 * * *` for daily windows. */
  cron: string;
  /**
   * The first window is the first one starting at or after `start`. A Date is an instant; a string
   * is a wall time in `timezone`, in the `fmt` format or ISO 8601 (`2024-01-01`, `2024-01-01T06:00`).
   */
  start: Date | string;
  /** Exclusive bound: windows ending after `end` are not partitions. Default: none. */
  end?: Date | string;
  /** IANA timezone the cron and keys are evaluated in. Default `UTC`. */
  timezone?: string;
  /** Luxon format of keys. Default `yyyy-MM-dd`, or `yyyy-MM-dd-HH:mm` for crons that tick more than daily. */
  fmt?: string;
  /**
   * 0 (default): the last partition is the last window that has ended by `now`; 1 also includes
   * the window in progress; -1 drops the last complete window; and so on.
   */
  endOffset?: number;
}

/** Picks the cheapest exact tick engine for a cron in a zone (internal; exported for tests). */
export function createTicks(parsed: ParsedCron, zone: ZoneRules, startMs: number): TickSequence {
  const shape = parsed.shape;
  if (shape.kind === 'absolute') {
    const step = shape.stepMinutes * MS.MINUTE;
    // Every-N-minutes crons stay periodic across DST when offsets agree modulo N; every-N-hours
    // crons only when the zone never changes offset (their DST rules differ from absolute time).
    const residue = zone.uniformResidue(step, startMs, !parsed.repeatsEveryHour);
    if (residue !== undefined) {
      const phase = (((shape.residueMinutes * MS.MINUTE - residue) % step) + step) % step;
      return new AbsoluteTicks(startMs, step, phase);
    }
    return new IteratedTicks(zone, parsed, startMs);
  }
  if (shape.kind === 'daily')
    return new CalendarTicks(zone, startMs, { cadence: 'daily', ...shape });
  if (shape.kind === 'weekly')
    return new CalendarTicks(zone, startMs, { cadence: 'weekly', ...shape });
  if (shape.kind === 'monthly') {
    return new CalendarTicks(zone, startMs, { cadence: 'monthly', ...shape });
  }
  return new IteratedTicks(zone, parsed, startMs);
}

/**
 * Partitions that are the time windows between consecutive cron ticks. count, keyAt, indexOf and
 * friends are arithmetic for the standard cadences, so a million hourly partitions cost nothing.
 */
export class TimeWindowPartitions implements TimeWindowPartitionsDefinition {
  readonly type = 'time' as const;
  readonly cron: string;
  readonly timezone: string;
  readonly fmt: string;
  /** The configured start instant (the first window starts at the first tick at or after it). */
  readonly start: Date;
  /** The configured exclusive end, if any. */
  readonly end: Date | undefined;
  /** See `TimeWindowPartitionsOptions.endOffset`. */
  readonly endOffset: number;
  /** How ticks are computed: `absolute`/`calendar` (arithmetic) or `iterated` (cached cron-parser). */
  readonly engine: TickSequence['kind'];
  private readonly ticks: TickSequence;
  private readonly codec: WindowKeyCodec;
  /** Number of windows that end at or before `end` (Infinity without `end`). */
  private readonly endBound: number;

  constructor(options: TimeWindowPartitionsOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new CairnError(
        'CAIRN_INVALID_OPTIONS',
        'timeWindowPartitions needs an options object { cron, start, ... }.',
      );
    }
    const parsed = parseCron(options.cron);
    const zone = ZoneRules.for(options.timezone ?? 'UTC');
    const fmt = options.fmt ?? (parsed.subDaily ? 'yyyy-MM-dd-HH:mm' : 'yyyy-MM-dd');
    if (typeof fmt !== 'string' || fmt.trim() === '') {
      throw new CairnError(
        'CAIRN_INVALID_OPTIONS',
        `fmt must be a non-empty Luxon format string, got ${JSON.stringify(fmt)}.`,
        { fmt },
      );
    }
    const endOffset = options.endOffset ?? 0;
    if (!Number.isInteger(endOffset)) {
      throw new CairnError(
        'CAIRN_INVALID_OPTIONS',
        `endOffset must be an integer, got ${String(endOffset)}.`,
        { endOffset },
      );
    }
    this.cron = parsed.cron;
    this.timezone = zone.name;
    this.fmt = fmt;
    this.endOffset = endOffset;
    this.codec = new WindowKeyCodec(fmt, zone, parsed.repeatsEveryHour);
    const startMs = this.codec.boundary(options.start, 'start');
    const endMs = options.end === undefined ? undefined : this.codec.boundary(options.end, 'end');
    if (endMs !== undefined && endMs <= startMs) {
      throw new CairnError(
        'CAIRN_INVALID_PARTITIONS',
        `Time-window partitions end ${new Date(endMs).toISOString()} is not after start ${new Date(startMs).toISOString()}; pass an end later than the start.`,
        { start: new Date(startMs).toISOString(), end: new Date(endMs).toISOString() },
      );
    }
    this.start = new Date(startMs);
    this.end = endMs === undefined ? undefined : new Date(endMs);
    this.ticks = createTicks(parsed, zone, startMs);
    this.engine = this.ticks.kind;
    this.endBound =
      endMs === undefined ? Number.POSITIVE_INFINITY : Math.max(0, this.ticks.floorIndex(endMs));
    this.checkFormatIdentifiesWindows();
    Object.freeze(this);
  }

  count(ctx?: PartitionsContext): number {
    const complete = Math.max(0, this.ticks.floorIndex(nowOf(ctx)));
    const extra = Math.max(0, this.endOffset);
    return Math.max(0, Math.min(this.endBound, complete + extra) + Math.min(0, this.endOffset));
  }

  keyAt(index: number, ctx?: PartitionsContext): string {
    checkIndex(index, this.count(ctx), this.describe());
    return this.codec.keyOf(this.ticks.at(index));
  }

  indexOf(key: string, ctx?: PartitionsContext): number {
    const n = this.count(ctx);
    if (n === 0) return -1;
    const instant = this.codec.instantOf(key);
    // Bounding by the last window first keeps iterated crons from running far past `now`.
    if (instant === undefined || instant > this.ticks.at(n - 1)) return -1;
    return this.indexIgnoringNow(key, instant);
  }

  has(key: string, ctx?: PartitionsContext): boolean {
    return this.indexOf(key, ctx) >= 0;
  }

  keys(ctx?: PartitionsContext): string[] {
    return this.slice(0, Number.POSITIVE_INFINITY, ctx);
  }

  slice(start: number, end: number, ctx?: PartitionsContext): string[] {
    const [s, e] = clampSlice(start, end, this.count(ctx));
    const out = new Array<string>(e - s);
    for (let i = s; i < e; i++) out[i - s] = this.codec.keyOf(this.ticks.at(i));
    return out;
  }

  range(from: string, to: string, ctx?: PartitionsContext): string[] {
    return rangeOf(this, from, to, this.describe(), ctx);
  }

  timeWindow(key: string): TimeWindow {
    const k = this.indexIgnoringNow(key, this.codec.instantOf(key));
    if (k < 0) throw unknownPartition(key, this.describe());
    return this.windowAt(k);
  }

  /** The window `[start, end)` of partition `index`, ignoring the `now` cut-off. */
  windowAt(index: number): TimeWindow {
    checkIndex(index, this.endBound, this.describe());
    return { start: new Date(this.ticks.at(index)), end: new Date(this.ticks.at(index + 1)) };
  }

  indexContaining(instant: Date): number {
    return this.ticks.floorIndex(instant.getTime());
  }

  indexRangeOverlapping(start: Date, end: Date): { startIndex: number; endIndex: number } {
    const s = start.getTime();
    const e = end.getTime();
    const startIndex = Math.min(Math.max(0, this.ticks.floorIndex(s)), this.endBound);
    if (!(e > s)) return { startIndex, endIndex: startIndex };
    // Windows starting strictly before `end`; tick instants are whole milliseconds.
    const endIndex = Math.min(this.ticks.floorIndex(Math.ceil(e) - 1) + 1, this.endBound);
    return { startIndex, endIndex: Math.max(startIndex, endIndex) };
  }

  equals(other: PartitionsDefinition): boolean {
    if (other === this) return true;
    return (
      other instanceof TimeWindowPartitions &&
      other.cron === this.cron &&
      other.timezone === this.timezone &&
      other.fmt === this.fmt &&
      other.endOffset === this.endOffset &&
      other.endBound === this.endBound &&
      other.ticks.at(0) === this.ticks.at(0)
    );
  }

  snapshot(): PartitionsSnapshot {
    return {
      type: 'time',
      cron: this.cron,
      timezone: this.timezone,
      fmt: this.fmt,
      start: this.codec.iso(this.start.getTime()),
      ...(this.end ? { end: this.codec.iso(this.end.getTime()) } : {}),
      endOffset: this.endOffset,
    };
  }

  /** The index of `key` ignoring `now` (but not `end`), or -1; `instant` is the parsed key. */
  private indexIgnoringNow(key: string, instant: number | undefined): number {
    if (instant === undefined) return -1;
    const k = ceilIndex(this.ticks, instant);
    if (k >= this.endBound) return -1;
    return this.codec.keyOf(this.ticks.at(k)) === key ? k : -1;
  }

  private describe(): string {
    return `time-window partitions (cron "${this.cron}", timezone ${this.timezone})`;
  }

  /** Keys must round-trip and tell consecutive windows apart, or indexOf could never work. */
  private checkFormatIdentifiesWindows(): void {
    for (let k = 0; k < Math.min(2, this.endBound); k++) {
      const key = this.codec.keyOf(this.ticks.at(k));
      if (this.indexIgnoringNow(key, this.codec.instantOf(key)) !== k) {
        throw new CairnError(
          'CAIRN_INVALID_OPTIONS',
          `fmt "${this.fmt}" cannot identify the windows of cron "${this.cron}": key ${JSON.stringify(key)} (window ${k}) does not parse back to its window. Use a format with enough precision, e.g. "yyyy-MM-dd-HH:mm" for sub-daily windows.`,
          { fmt: this.fmt, cron: this.cron, key },
        );
      }
    }
  }
}

/**
 * Time-window partitions from any cron: the keys are the formatted window starts.
 *
 * @example
 * const fifteen = timeWindowPartitions({ cron: '*\/15 * * * *', start: '2024-01-01', fmt: 'yyyy-MM-dd-HH:mm' });
 */
export function timeWindowPartitions(options: TimeWindowPartitionsOptions): TimeWindowPartitions {
  return new TimeWindowPartitions(options);
}
