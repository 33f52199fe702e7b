import type { PartitionRange, PartitionStatus } from '../api/api-types.js';

/** What one column of a health bar shows: a stored status, or `partial` (some materialized, some missing). */
export type SegmentStatus = PartitionStatus | 'partial';

/** One pixel column (or wider segment) of a health bar. */
export interface HealthSegment {
  /** First column (inclusive). */
  from: number;
  /** Last column (exclusive). */
  to: number;
  status: SegmentStatus;
}

const BIT: Record<PartitionStatus, number> = {
  missing: 1,
  materialized: 2,
  inProgress: 4,
  failed: 8,
};

/** The status a column shows for the set of statuses present in it: failures and runs stay visible. */
function columnStatus(bits: number): SegmentStatus {
  if (bits & BIT.failed) return 'failed';
  if (bits & BIT.inProgress) return 'inProgress';
  if (bits & BIT.materialized) return bits & BIT.missing ? 'partial' : 'materialized';
  return 'missing';
}

/**
 * Turns status ranges over `total` partitions into at most `width` coloured segments: each column
 * covers total/width partitions and shows failed if any partition in it failed, then running, then
 * partial (materialized and missing mixed), else its one status. Cost is O(ranges + width),
 * independent of the number of partitions, so 1,000,000 partitions draw as fast as 10.
 * Indexes not covered by any range count as missing.
 */
export function healthSegments(
  ranges: readonly PartitionRange[],
  total: number,
  width: number,
): HealthSegment[] {
  if (total <= 0 || width <= 0) return [];
  const cols = Math.min(width, total);
  const bits = new Uint8Array(cols);
  const colOf = (index: number) => Math.min(cols - 1, Math.floor((index * cols) / total));
  for (const r of ranges) {
    // endIndex is exclusive (the API's convention).
    const a = Math.max(0, r.startIndex);
    const b = Math.min(total - 1, r.endIndex - 1);
    if (b < a) continue;
    const bit = BIT[r.status];
    for (let c = colOf(a), last = colOf(b); c <= last; c++) bits[c]! |= bit;
  }
  // Columns not fully covered by ranges hold partitions without a stored status: missing.
  const covered = coveredColumns(ranges, total, cols);
  const out: HealthSegment[] = [];
  for (let c = 0; c < cols; c++) {
    const status = columnStatus(covered[c] ? bits[c]! : bits[c]! | BIT.missing);
    const prev = out[out.length - 1];
    if (prev !== undefined && prev.status === status && prev.to === c) prev.to = c + 1;
    else out.push({ from: c, to: c + 1, status });
  }
  // Scale columns back to the requested width when there are fewer partitions than pixels.
  if (cols < width)
    for (const s of out) [s.from, s.to] = [(s.from * width) / cols, (s.to * width) / cols];
  return out;
}

/** True for columns whose every partition is inside some range. */
function coveredColumns(ranges: readonly PartitionRange[], total: number, cols: number): boolean[] {
  const sorted = [...ranges].sort((x, y) => x.startIndex - y.startIndex);
  const out = new Array<boolean>(cols).fill(false);
  // Merge ranges into covered intervals, then mark each column fully inside one.
  const merged: [number, number][] = [];
  for (const r of sorted) {
    const last = merged[merged.length - 1];
    const end = r.endIndex - 1;
    if (last !== undefined && r.startIndex <= last[1] + 1) last[1] = Math.max(last[1], end);
    else merged.push([r.startIndex, end]);
  }
  for (const [a, b] of merged) {
    for (let c = Math.floor((a * cols) / total); c < cols; c++) {
      const first = Math.ceil((c * total) / cols);
      const lastIdx = Math.ceil(((c + 1) * total) / cols) - 1;
      if (first > b) break;
      if (first >= a && lastIdx <= b) out[c] = true;
    }
  }
  return out;
}

/** Proportional segments for a count summary (graph nodes: no per-partition data needed). */
export function countSegments(
  counts: { materialized: number; failed: number; inProgress: number; missing: number },
  width: number,
): HealthSegment[] {
  const total = counts.materialized + counts.failed + counts.inProgress + counts.missing;
  if (total === 0) return [];
  const order: PartitionStatus[] = ['materialized', 'inProgress', 'failed', 'missing'];
  const present = order.filter((st) => counts[st] > 0);
  // At least one pixel per present status, so one failed partition among a million still shows;
  // the pixels that costs come out of the widest segment.
  const widths = present.map((st) => Math.max(1, (counts[st] / total) * width));
  const excess = widths.reduce((a, b) => a + b, 0) - width;
  if (excess > 0) {
    const widest = widths.indexOf(Math.max(...widths));
    widths[widest] = widths[widest]! - excess;
  }
  const out: HealthSegment[] = [];
  let at = 0;
  present.forEach((status, i) => {
    out.push({ from: at, to: at + widths[i]!, status });
    at += widths[i]!;
  });
  return out;
}
