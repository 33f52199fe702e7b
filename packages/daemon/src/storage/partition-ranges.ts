import type { PartitionStatus } from './schema.js';

/**
 * Partition status kept as ranges: for each asset, the maximal runs `[startIndex, endIndex)` of
 * consecutive partition indexes sharing a status (missing partitions have no range). Changing
 * one partition touches at most three ranges (split the one containing it, merge with the
 * neighbours of the new status), so a backfill walking partitions in order extends a single
 * range and a million partitions in a handful of states are a handful of rows.
 */

/** One run of consecutive partitions with the same status. */
export interface PartitionRange {
  startIndex: number;
  /** Exclusive. */
  endIndex: number;
  status: PartitionStatus;
}

/** The two lookups the planner needs, answered by the range table of one asset. */
export interface RangeLookup {
  /** The range with the greatest `startIndex <= index`, if any. */
  floor(index: number): PartitionRange | undefined;
  /** The range starting exactly at `index`, if any. */
  startingAt(index: number): PartitionRange | undefined;
}

/** The writes that apply one status change: delete ranges by start, then upsert by start. */
export interface RangeChange {
  deletes: number[];
  upserts: PartitionRange[];
  /** Count deltas per status (-1 for the old status, +1 for the new). */
  counts: Array<[PartitionStatus, number]>;
}

/**
 * Plans setting partition `index` to `next` (`null` = missing), or returns undefined when the
 * partition already has that status.
 */
export function planStatusChange(
  lookup: RangeLookup,
  index: number,
  next: PartitionStatus | null,
): RangeChange | undefined {
  const floor = lookup.floor(index);
  const containing = floor !== undefined && floor.endIndex > index ? floor : undefined;
  if (containing === undefined ? next === null : containing.status === next) return undefined;
  const deletes: number[] = [];
  const upserts: PartitionRange[] = [];
  const counts: Array<[PartitionStatus, number]> = [];
  if (containing !== undefined) {
    counts.push([containing.status, -1]);
    // Keep what lies left and right of `index` with the old status.
    if (containing.startIndex < index) {
      upserts.push({
        startIndex: containing.startIndex,
        endIndex: index,
        status: containing.status,
      });
    } else {
      deletes.push(containing.startIndex);
    }
    if (index + 1 < containing.endIndex) {
      upserts.push({
        startIndex: index + 1,
        endIndex: containing.endIndex,
        status: containing.status,
      });
    }
  }
  if (next !== null) {
    counts.push([next, 1]);
    let start = index;
    let end = index + 1;
    // A left piece of the old range has the old status, so only an edge can merge to the left.
    const left =
      containing === undefined
        ? floor
        : containing.startIndex === index && index > 0
          ? lookup.floor(index - 1)
          : undefined;
    if (left !== undefined && left.endIndex === index && left.status === next) {
      start = left.startIndex;
    }
    const right =
      containing === undefined || index + 1 === containing.endIndex
        ? lookup.startingAt(index + 1)
        : undefined;
    if (right !== undefined && right.status === next) {
      end = right.endIndex;
      deletes.push(right.startIndex);
    }
    upserts.push({ startIndex: start, endIndex: end, status: next });
  }
  const rewritten = new Set(upserts.map((u) => u.startIndex));
  return { deletes: deletes.filter((d) => !rewritten.has(d)), upserts, counts };
}

/**
 * Compresses `(index, status)` pairs sorted by index into maximal ranges (used to rebuild an
 * asset's ranges from its partition rows). A repeated index keeps its first status.
 */
export function compressToRanges(
  entries: Iterable<readonly [number, PartitionStatus]>,
): PartitionRange[] {
  const out: PartitionRange[] = [];
  for (const [index, status] of entries) {
    const last = out[out.length - 1];
    if (last !== undefined && index < last.endIndex) continue;
    if (last !== undefined && last.endIndex === index && last.status === status) {
      last.endIndex = index + 1;
    } else {
      out.push({ startIndex: index, endIndex: index + 1, status });
    }
  }
  return out;
}
