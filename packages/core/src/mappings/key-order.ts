import type {
  PartitionsContext,
  PartitionsDefinition,
} from '../partitions/partitions-definition.js';

/** A half-open range `[start, end)` of partition indexes. */
export interface IndexRange {
  start: number;
  end: number;
}

/**
 * The keys among `keys` that are partitions of `def`, de-duplicated and sorted in partition order.
 * Keys that are not partitions (unknown, malformed, past the `now` cut-off) are dropped.
 */
export function inPartitionOrder(
  def: PartitionsDefinition,
  keys: Iterable<string>,
  ctx: PartitionsContext,
): string[] {
  const indexes = new Map<string, number>();
  for (const key of keys) {
    if (!indexes.has(key)) indexes.set(key, def.indexOf(key, ctx));
  }
  const found: [string, number][] = [];
  let sorted = true;
  for (const entry of indexes) {
    if (entry[1] < 0) continue;
    const prev = found[found.length - 1];
    if (prev !== undefined && prev[1] > entry[1]) sorted = false;
    found.push(entry);
  }
  // Most callers pass keys that are already in order; skip the sort for them.
  if (!sorted) found.sort((a, b) => a[1] - b[1]);
  return found.map((entry) => entry[0]);
}

/**
 * The keys of `def` covered by `ranges`, clamped to `[0, count)`, merged, de-duplicated and in
 * partition order. Works by slicing, so it never builds the full key list of `def`.
 */
export function keysOfIndexRanges(
  def: PartitionsDefinition,
  ranges: IndexRange[],
  count: number,
  ctx: PartitionsContext,
): string[] {
  const clamped: IndexRange[] = [];
  for (const r of ranges) {
    const start = Math.max(0, r.start);
    const end = Math.min(count, r.end);
    if (start < end) clamped.push({ start, end });
  }
  clamped.sort((a, b) => a.start - b.start);
  const merged: IndexRange[] = [];
  for (const r of clamped) {
    const last = merged[merged.length - 1];
    if (last !== undefined && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else merged.push({ start: r.start, end: r.end });
  }
  if (merged.length === 1) return def.slice(merged[0]!.start, merged[0]!.end, ctx);
  const out: string[] = [];
  for (const r of merged) {
    for (const key of def.slice(r.start, r.end, ctx)) out.push(key);
  }
  return out;
}
