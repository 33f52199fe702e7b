import { parseCron } from '../partitions/cron-shape.js';
import type { TickSequence } from '../partitions/tick-sequence.js';
import { createTicks } from '../partitions/time-window-partitions.js';
import { MS, ZoneRules } from '../partitions/zone-rules.js';

/**
 * Ticks of a cron in a timezone with the same DST rules as time-window partitions (Dagster's): a
 * wall time skipped by a spring gap fires at the first instant after the gap, a wall time repeated
 * in autumn fires once (at its second occurrence), and crons whose hour field matches every hour
 * fire at every existing hour. Built on the partitions' tick engines, so daily/weekly/monthly and
 * every-N-minutes crons are arithmetic.
 */
export interface CronTicks {
  /** The normalized cron expression. */
  readonly cron: string;
  /** The canonical IANA timezone. */
  readonly timezone: string;
  /** The latest tick at or before `instant`, or undefined when there is none in the last ~13 months. */
  latestAtOrBefore(instant: Date): Date | undefined;
  /** The first tick strictly after `instant`. */
  firstAfter(instant: Date): Date | undefined;
  /** Ticks `t` with `from < t <= to`, in order, at most `limit` of them (default 100,000). */
  between(from: Date, to: Date, limit?: number): Date[];
}

const cache = new Map<string, CronTicks>();

/**
 * The ticks of `cron` in `timezone`. Throws CAIRN_INVALID_CRON or CAIRN_INVALID_TIMEZONE naming the
 * value. Compiled once per (cron, timezone).
 *
 * @example
 * cronTicks('30 2 * * *', 'America/New_York').between(new Date('2024-03-09Z'), new Date('2024-03-12Z'));
 */
export function cronTicks(cron: string, timezone = 'UTC'): CronTicks {
  const id = `${cron}\0${timezone}`;
  const known = cache.get(id);
  if (known !== undefined) return known;
  const parsed = parseCron(cron);
  const zone = ZoneRules.for(timezone);
  // A sequence starts at a given instant; sequences are rebuilt from a start shortly before the
  // question so iterated crons never walk far. Arithmetic engines make this free.
  const sequenceFrom = (startMs: number): TickSequence => createTicks(parsed, zone, startMs);
  const result: CronTicks = Object.freeze({
    cron: parsed.cron,
    timezone: zone.name,
    latestAtOrBefore(instant: Date): Date | undefined {
      const t = instant.getTime();
      // Most crons tick at least weekly; fall back to a longer look-back for monthly/yearly ones.
      for (const back of [8 * MS.DAY, 400 * MS.DAY]) {
        const seq = sequenceFrom(t - back);
        const k = seq.floorIndex(t);
        if (k >= 0) return new Date(seq.at(k));
      }
      return undefined;
    },
    firstAfter(instant: Date): Date | undefined {
      const seq = sequenceFrom(instant.getTime() + 1);
      try {
        return new Date(seq.at(0));
      } catch {
        return undefined;
      }
    },
    between(from: Date, to: Date, limit = 100_000): Date[] {
      const out: Date[] = [];
      const end = to.getTime();
      if (end <= from.getTime()) return out;
      const seq = sequenceFrom(from.getTime() + 1);
      for (let k = 0; out.length < limit; k++) {
        let at: number;
        try {
          at = seq.at(k);
        } catch {
          break;
        }
        if (at > end) break;
        out.push(new Date(at));
      }
      return out;
    },
  });
  cache.set(id, result);
  return result;
}
