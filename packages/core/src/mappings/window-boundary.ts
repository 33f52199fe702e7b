import type {
  PartitionsContext,
  TimeWindowPartitionsDefinition,
} from '../partitions/partitions-definition.js';
import { timeWindowPartitions } from '../partitions/time-window-partitions.js';

/** The latest instant a JS Date can hold (100,000,000 days after the epoch). */
const MAX_MS = 8.64e15;
const HOUR_MS = 3_600_000;
const MONTH_MS = 31 * 24 * HOUR_MS;

/**
 * The start instant (epoch ms) of the window at `index` of `def`, where `index` may lie outside
 * the existing partitions (before the first one, or past the `now` cut-off). Offsets in
 * `timeWindowMapping` need such windows: the partition before the first one still has a start.
 */
export function windowStartAt(
  def: TimeWindowPartitionsDefinition,
  index: number,
  count: number,
  ctx: PartitionsContext,
): number {
  if (index >= 0 && index < count) return def.timeWindow(def.keyAt(index, ctx)).start.getTime();
  if (index === count && count > 0) {
    return def.timeWindow(def.keyAt(count - 1, ctx)).end.getTime();
  }
  if (index < 0) return startBeforeFirst(def, index, count, ctx);
  return searchStart(
    def,
    index,
    count > 0 ? firstStart(def, ctx) : (ctx.now ?? new Date()).getTime(),
  );
}

function firstStart(def: TimeWindowPartitionsDefinition, ctx: PartitionsContext): number {
  return def.timeWindow(def.keyAt(0, ctx)).start.getTime();
}

/**
 * Windows after the first one: `indexContaining` ignores the `now` cut-off, so search for the
 * first instant it puts at `index` (an exponential probe, then a binary search over milliseconds:
 * about 50 calls, and only for partitions at the edge of the range).
 */
function searchStart(def: TimeWindowPartitionsDefinition, index: number, from: number): number {
  const indexAt = (ms: number) => def.indexContaining(new Date(ms));
  // Invariant: indexAt(lo) < index <= indexAt(hi). `from` is a guess; step back if it is too late.
  let lo = from;
  let step = HOUR_MS;
  while (indexAt(lo) >= index) {
    if (lo <= -MAX_MS) return -MAX_MS;
    lo = Math.max(-MAX_MS, lo - step);
    step *= 2;
  }
  step = HOUR_MS;
  let hi = lo + step;
  while (indexAt(hi) < index) {
    if (hi >= MAX_MS) return MAX_MS;
    lo = hi;
    step *= 2;
    hi = Math.min(MAX_MS, lo + step);
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (indexAt(mid) >= index) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** A definition like `def` that starts earlier, and the index of `def`'s first window in it. */
interface Twin {
  def: TimeWindowPartitionsDefinition;
  startMs: number;
}

/** Earlier-starting twins, built once per definition (and rebuilt when asked to reach further). */
const twins = new WeakMap<TimeWindowPartitionsDefinition, Twin>();

/**
 * The contract has no index below 0 and clamps overlaps at the first partition, so reaching
 * before the first window uses a definition with the same cron, timezone and format that starts
 * at or before `reachMs`. Its ticks are the same instants, computed by the same engine, so
 * window `k` of `def` is window `at + k` of the twin, where `at` is the twin's index of `def`'s
 * first window start.
 */
function twinReaching(
  def: TimeWindowPartitionsDefinition,
  firstMs: number,
  reachMs: number,
): { twin: TimeWindowPartitionsDefinition; at: number } {
  let twin = twins.get(def);
  if (twin === undefined || twin.startMs > reachMs) {
    // Reach a month further (and twice as far as last time) so repeated calls rarely rebuild.
    const previous = twin === undefined ? 0 : firstMs - twin.startMs;
    const startMs = Math.max(-MAX_MS, Math.min(reachMs, firstMs - 2 * previous) - MONTH_MS);
    const built = timeWindowPartitions({
      cron: def.cron,
      timezone: def.timezone,
      fmt: def.fmt,
      start: new Date(startMs),
    });
    twin = { def: built, startMs };
    twins.set(def, twin);
  }
  return { twin: twin.def, at: twin.def.indexContaining(new Date(firstMs)) };
}

/** The first window start of `def` (which may not be complete yet at `now`). */
function firstStartOf(def: TimeWindowPartitionsDefinition, count: number, ctx: PartitionsContext) {
  return count > 0
    ? firstStart(def, ctx)
    : searchStart(def, 0, (ctx.now ?? new Date()).getTime() - MONTH_MS * 12);
}

function startBeforeFirst(
  def: TimeWindowPartitionsDefinition,
  index: number,
  count: number,
  ctx: PartitionsContext,
): number {
  const first = firstStartOf(def, count, ctx);
  let reach = first - MONTH_MS * (1 - index);
  for (let attempt = 0; attempt < 16; attempt++) {
    const { twin, at } = twinReaching(def, first, reach);
    if (at + index >= 0) {
      return twin.timeWindow(twin.keyAt(at + index, { now: new Date(first) })).start.getTime();
    }
    reach = first - 2 * (first - reach);
  }
  return -MAX_MS;
}

/**
 * Like `indexRangeOverlapping`, but indexes before the first partition come out negative instead
 * of being clamped to 0: offsets can shift such windows back into the range.
 */
export function overlapRangeUnclamped(
  def: TimeWindowPartitionsDefinition,
  start: Date,
  end: Date,
  count: number,
  ctx: PartitionsContext,
): { startIndex: number; endIndex: number } {
  const r = def.indexRangeOverlapping(start, end);
  if (r.startIndex > 0) return r;
  const first = firstStartOf(def, count, ctx);
  if (start.getTime() >= first) return r;
  const { twin, at } = twinReaching(def, first, start.getTime());
  const t = twin.indexRangeOverlapping(start, end);
  return { startIndex: t.startIndex - at, endIndex: t.endIndex - at };
}
