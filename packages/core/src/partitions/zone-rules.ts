import { IANAZone } from 'luxon';
import { CairnError } from '../errors.js';

/**
 * UTC offsets of one IANA timezone, answered from per-year transition tables so that converting
 * between instants and wall-clock times costs a table lookup instead of an `Intl` call (~5 µs each).
 *
 * Vocabulary used across the partitions code: an *instant* is epoch milliseconds; a *wall* time is
 * the local calendar time of the zone encoded as if it were UTC epoch milliseconds (so
 * `new Date(wall).getUTCHours()` is the local hour). `wall = instant + offset(instant)`.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Offsets in the tz database stay within [-12h, +14h]; these margins bound every search window. */
const MAX_AHEAD = 15 * HOUR;
const MAX_BEHIND = 13 * HOUR;
/** Samples per year when looking for transitions: weekly catches every DST change since 1900. */
const SAMPLE_STEP = 7 * DAY;

interface YearTable {
  /** Offset (ms) in force at the first instant of the UTC year. */
  startOffset: number;
  /** Instants (ms) at which the offset changes, with the offset that starts there. */
  transitions: { at: number; offset: number }[];
}

/** How a wall-clock time maps to instants in a zone. */
export type WallResolution =
  | { kind: 'unique'; instant: number }
  | { kind: 'ambiguous'; first: number; second: number }
  | { kind: 'gap'; transition: number };

/** Per-zone offset tables, shared by every definition that uses the zone. */
export class ZoneRules {
  private static readonly cache = new Map<string, ZoneRules>();

  /** The canonical IANA name (e.g. `UTC` for `utc`). */
  readonly name: string;
  /** The constant offset (ms) of zones without transitions (`UTC`, `Etc/GMT+5`), else undefined. */
  readonly fixedOffset: number | undefined;
  private readonly zone: IANAZone;
  private readonly years = new Map<number, YearTable>();
  private readonly alignment = new Map<string, number | undefined>();
  // The last year looked up: consecutive lookups nearly always hit the same year.
  private lastYearStart = 0;
  private lastYearEnd = 0;
  private lastTable: YearTable | undefined;

  private constructor(name: string, zone: IANAZone) {
    this.name = name;
    this.zone = zone;
    this.fixedOffset =
      name === 'UTC' || name.startsWith('Etc/') ? Math.round(zone.offset(0) * MINUTE) : undefined;
  }

  /** The rules of `timezone`; throws CAIRN_INVALID_TIMEZONE when it is not an IANA timezone. */
  static for(timezone: string): ZoneRules {
    const cached = ZoneRules.cache.get(timezone);
    if (cached) return cached;
    if (typeof timezone !== 'string' || !IANAZone.isValidZone(timezone)) {
      throw new CairnError(
        'CAIRN_INVALID_TIMEZONE',
        `Unknown timezone ${JSON.stringify(timezone)}: use an IANA timezone name such as "UTC", "America/New_York" or "Europe/Berlin".`,
        { timezone },
      );
    }
    const name = new Intl.DateTimeFormat('en-US', { timeZone: timezone }).resolvedOptions()
      .timeZone;
    const rules = ZoneRules.cache.get(name) ?? new ZoneRules(name, IANAZone.create(name));
    ZoneRules.cache.set(name, rules);
    ZoneRules.cache.set(timezone, rules);
    return rules;
  }

  /** The offset (ms, local minus UTC) in force at `instant`. */
  offsetAt(instant: number): number {
    if (this.fixedOffset !== undefined) return this.fixedOffset;
    let table: YearTable;
    if (instant >= this.lastYearStart && instant < this.lastYearEnd && this.lastTable) {
      table = this.lastTable;
    } else {
      const year = new Date(instant).getUTCFullYear();
      table = this.table(year);
      this.lastYearStart = Date.UTC(year, 0, 1);
      this.lastYearEnd = Date.UTC(year + 1, 0, 1);
      this.lastTable = table;
    }
    let offset = table.startOffset;
    for (const t of table.transitions) {
      if (t.at > instant) break;
      offset = t.offset;
    }
    return offset;
  }

  /** The wall time (see module doc) of `instant`. */
  wallOf(instant: number): number {
    return instant + this.offsetAt(instant);
  }

  /** How the wall time `wall` maps to instants: one, two (autumn overlap) or none (spring gap). */
  resolve(wall: number): WallResolution {
    if (this.fixedOffset !== undefined) return { kind: 'unique', instant: wall - this.fixedOffset };
    const before = this.offsetAt(wall - MAX_AHEAD);
    const after = this.offsetAt(wall + MAX_BEHIND);
    if (before === after) {
      const instant = wall - before;
      // A transition pair inside the window (rare) would leave this candidate inconsistent.
      if (this.offsetAt(instant) === before) return { kind: 'unique', instant };
    }
    const a = wall - before;
    const b = wall - after;
    const aOk = this.offsetAt(a) === before;
    const bOk = this.offsetAt(b) === after;
    if (aOk && bOk && a !== b) {
      return { kind: 'ambiguous', first: Math.min(a, b), second: Math.max(a, b) };
    }
    if (aOk) return { kind: 'unique', instant: a };
    if (bOk) return { kind: 'unique', instant: b };
    const transition = this.firstTransitionAfter(Math.min(a, b));
    return { kind: 'gap', transition: transition ?? Math.max(a, b) };
  }

  /**
   * The instant of wall time `wall`: `earlier` or `later` picks an occurrence of a repeated autumn
   * time; a time skipped in spring maps to the first instant after the gap (the transition), which
   * is what Dagster does for its schedules and time windows.
   */
  instantOf(wall: number, prefer: 'earlier' | 'later'): number {
    const r = this.resolve(wall);
    if (r.kind === 'unique') return r.instant;
    if (r.kind === 'gap') return r.transition;
    return prefer === 'earlier' ? r.first : r.second;
  }

  /** True when `instant` is the second occurrence of its wall time (the repeated autumn hour). */
  isSecondOccurrence(instant: number): boolean {
    if (this.fixedOffset !== undefined) return false;
    const r = this.resolve(this.wallOf(instant));
    return r.kind === 'ambiguous' && r.second === instant;
  }

  /**
   * When every offset of this zone from `fromInstant` on is congruent modulo `stepMs` (checked on
   * four samples per year up to 2100), the common residue; otherwise undefined. With `exact`, all
   * offsets must be equal instead (no DST at all). Absolute-time tick arithmetic relies on this.
   */
  uniformResidue(stepMs: number, fromInstant: number, exact: boolean): number | undefined {
    const residueOf = (offset: number) => (exact ? offset : ((offset % stepMs) + stepMs) % stepMs);
    if (this.fixedOffset !== undefined) return residueOf(this.fixedOffset);
    const fromYear = new Date(fromInstant).getUTCFullYear();
    const key = `${stepMs}:${fromYear}:${exact}`;
    if (this.alignment.has(key)) return this.alignment.get(key);
    const first = residueOf(Math.round(this.zone.offset(fromInstant) * MINUTE));
    let ok = Number.isInteger(first / MINUTE);
    for (let y = fromYear; ok && y <= Math.max(fromYear, 2100); y++) {
      for (const month of [0, 3, 6, 9]) {
        const offset = Math.round(this.zone.offset(Date.UTC(y, month, 1)) * MINUTE);
        if (residueOf(offset) !== first) {
          ok = false;
          break;
        }
      }
    }
    const result = ok ? first : undefined;
    this.alignment.set(key, result);
    return result;
  }

  /** The first transition instant strictly after `instant` within the next two days, if any. */
  private firstTransitionAfter(instant: number): number | undefined {
    const year = new Date(instant).getUTCFullYear();
    for (const y of [year, year + 1]) {
      for (const t of this.table(y).transitions) {
        if (t.at > instant) return t.at <= instant + 2 * DAY ? t.at : undefined;
      }
    }
    return undefined;
  }

  private rawOffset(instant: number): number {
    return Math.round(this.zone.offset(instant) * MINUTE);
  }

  private table(year: number): YearTable {
    const cached = this.years.get(year);
    if (cached) return cached;
    const start = Date.UTC(year, 0, 1);
    const end = Date.UTC(year + 1, 0, 1);
    const table: YearTable = { startOffset: this.rawOffset(start), transitions: [] };
    let prevAt = start;
    let prevOffset = table.startOffset;
    for (let at = Math.min(start + SAMPLE_STEP, end); ; at = Math.min(at + SAMPLE_STEP, end)) {
      const offset = this.rawOffset(at);
      if (offset !== prevOffset) {
        // Binary search to the second: tz transitions happen on whole seconds.
        let lo = prevAt;
        let hi = at;
        while (hi - lo > 1000) {
          const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
          if (this.rawOffset(mid) === prevOffset) lo = mid;
          else hi = mid;
        }
        if (hi < end) table.transitions.push({ at: hi, offset });
      }
      prevAt = at;
      prevOffset = offset;
      if (at >= end) break;
    }
    this.years.set(year, table);
    return table;
  }
}

/** Milliseconds in a minute, an hour and a day (calendar arithmetic on wall times). */
export const MS = { MINUTE, HOUR, DAY } as const;
