import { CairnError, isCairnError } from '../errors.js';
import {
  isTimeWindowPartitions,
  type PartitionsDefinition,
  type TimeWindow,
  type TimeWindowPartitionsDefinition,
} from '../partitions/partitions-definition.js';
import { describePartitions } from './describe-partitions.js';
import { assertCompatible } from './incompatible-error.js';
import { type IndexRange, keysOfIndexRanges } from './key-order.js';
import { resolveContext } from './mapping-context.js';
import type { PartitionMapping } from './partition-mapping.js';
import { overlapRangeUnclamped, windowStartAt } from './window-boundary.js';

/** Options of `timeWindowMapping`. */
export interface TimeWindowMappingOptions {
  /**
   * Shifts the start of the window read, in downstream partitions: `-1` also reads the window of
   * the previous downstream partition. Default 0.
   */
  startOffset?: number;
  /**
   * Shifts the end of the window read, in downstream partitions: `1` also reads the window of the
   * next downstream partition. Default 0. Must be >= startOffset.
   */
  endOffset?: number;
}

function checkOffset(name: string, value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      `timeWindowMapping() ${name} must be an integer number of downstream partitions, got ${JSON.stringify(value)}`,
      { [name]: value },
    );
  }
  return value;
}

/**
 * The window and index of `key` when it is an existing partition of `def`, else undefined. One
 * key parse (timeWindow) plus arithmetic (indexContaining), where indexOf + timeWindow would parse
 * twice: key parsing dominates the cost of mapping thousands of hourly keys.
 */
function locate(
  def: TimeWindowPartitionsDefinition,
  key: string,
  count: number,
): { index: number; start: Date; end: Date } | undefined {
  let w: TimeWindow;
  try {
    w = def.timeWindow(key);
  } catch (err) {
    if (isCairnError(err, 'CAIRN_UNKNOWN_PARTITION')) return undefined;
    throw err;
  }
  const index = def.indexContaining(w.start);
  return index >= 0 && index < count ? { index, start: w.start, end: w.end } : undefined;
}

function timeWindowIncompatibility(
  downstream: PartitionsDefinition | undefined,
  upstream: PartitionsDefinition | undefined,
): string | undefined {
  if (!isTimeWindowPartitions(downstream) || !isTimeWindowPartitions(upstream)) {
    return `timeWindow mapping needs both assets to have time-window partitions, but downstream is ${describePartitions(downstream)} and upstream is ${describePartitions(upstream)}; use multiToSingleMapping() for a multi definition with a time dimension, or allMapping()/lastMapping()`;
  }
  if (downstream.timezone !== upstream.timezone) {
    return `timeWindow mapping needs both time-window definitions in the same timezone, but downstream uses ${downstream.timezone} and upstream uses ${upstream.timezone}; give both assets partitions in one timezone`;
  }
  return undefined;
}

/**
 * Each downstream partition reads the upstream partitions whose time windows overlap its own, like
 * Dagster's TimeWindowPartitionMapping: a daily partition reads the 24 hourly partitions of its
 * day (23 or 25 on DST days), an hourly partition reads the daily partition containing it.
 *
 * Offsets move the start and end of the window read, counted in downstream partitions:
 * `{ startOffset: -1, endOffset: -1 }` reads the previous partition (a self-dependency). Upstream
 * partitions outside the upstream definition's range (before its start, after `now`) are dropped.
 *
 * @example
 * timeWindowMapping({ startOffset: -6 }) // a daily partition reads the 7 days ending on it
 */
export function timeWindowMapping(
  options: TimeWindowMappingOptions = {},
): PartitionMapping<'many'> {
  if (typeof options !== 'object' || options === null) {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      `timeWindowMapping() takes { startOffset?, endOffset? }, got ${String(options)}`,
    );
  }
  const startOffset = checkOffset('startOffset', options.startOffset);
  const endOffset = checkOffset('endOffset', options.endOffset);
  if (startOffset > endOffset) {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      `timeWindowMapping() startOffset ${startOffset} is after endOffset ${endOffset}, so every downstream partition would read nothing; use startOffset <= endOffset (e.g. -1 and -1 for the previous partition)`,
      { startOffset, endOffset },
    );
  }

  const bothTime = (
    downstream: PartitionsDefinition | undefined,
    upstream: PartitionsDefinition | undefined,
  ): [TimeWindowPartitionsDefinition, TimeWindowPartitionsDefinition] => {
    if (
      !isTimeWindowPartitions(downstream) ||
      !isTimeWindowPartitions(upstream) ||
      downstream.timezone !== upstream.timezone
    ) {
      assertCompatible(mapping, downstream, upstream);
    }
    return [
      downstream as TimeWindowPartitionsDefinition,
      upstream as TimeWindowPartitionsDefinition,
    ];
  };

  const offsets = startOffset !== 0 || endOffset !== 0;
  const mapping: PartitionMapping<'many'> = {
    type: 'timeWindow',
    cardinality: 'many',
    upstreamKeys(args) {
      const [down, up] = bothTime(args.downstream, args.upstream);
      const ctx = resolveContext(args);
      // Same keys and windows: the offsets are plain index shifts, no window arithmetic needed.
      const same = down === up || down.equals(up);
      const downCount = down.count(ctx);
      const ranges: IndexRange[] = [];
      for (const key of args.downstreamKeys) {
        if (same) {
          const i = down.indexOf(key, ctx);
          if (i >= 0) ranges.push({ start: i + startOffset, end: i + endOffset + 1 });
          continue;
        }
        const w = locate(down, key, downCount);
        if (w === undefined) continue;
        let start = w.start.getTime();
        let end = w.end.getTime();
        if (offsets) {
          start = windowStartAt(down, w.index + startOffset, downCount, ctx);
          end = windowStartAt(down, w.index + endOffset + 1, downCount, ctx);
          if (start >= end) continue;
        }
        const r = up.indexRangeOverlapping(new Date(start), new Date(end));
        ranges.push({ start: r.startIndex, end: r.endIndex });
      }
      return keysOfIndexRanges(up, ranges, up.count(ctx), ctx);
    },
    downstreamKeys(args) {
      const [down, up] = bothTime(args.downstream, args.upstream);
      const ctx = resolveContext(args);
      const same = down === up || down.equals(up);
      const downCount = down.count(ctx);
      const upCount = same ? downCount : up.count(ctx);
      const ranges: IndexRange[] = [];
      for (const key of args.upstreamKeys) {
        let first: number;
        let endIndex: number;
        if (same) {
          first = up.indexOf(key, ctx);
          if (first < 0) continue;
          endIndex = first + 1;
        } else {
          const w = locate(up, key, upCount);
          if (w === undefined) continue;
          // With offsets, a window before the first downstream partition can shift into range.
          const r = offsets
            ? overlapRangeUnclamped(down, w.start, w.end, downCount, ctx)
            : down.indexRangeOverlapping(w.start, w.end);
          if (r.startIndex >= r.endIndex) continue;
          first = r.startIndex;
          endIndex = r.endIndex;
        }
        // Downstream d reads [d + startOffset, d + endOffset]; invert that around the overlap.
        ranges.push({ start: first - endOffset, end: endIndex - startOffset });
      }
      return keysOfIndexRanges(down, ranges, downCount, ctx);
    },
    incompatibility: timeWindowIncompatibility,
    describe: () => ({ type: 'timeWindow', startOffset, endOffset }),
  };
  return Object.freeze(mapping);
}
