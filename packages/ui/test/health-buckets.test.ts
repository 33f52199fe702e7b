import { describe, expect, it } from 'vitest';
import type { PartitionRange } from '../src/api/api-types.js';
import { countSegments, healthSegments } from '../src/lib/health-buckets.js';

const r = (
  startIndex: number,
  endIndex: number,
  status: PartitionRange['status'],
): PartitionRange => ({
  startIndex,
  endIndex,
  startKey: null,
  endKey: null,
  status,
});

describe('healthSegments', () => {
  it('draws one segment per run of equal columns, never one per partition', () => {
    const segs = healthSegments(
      [r(0, 500_000, 'materialized'), r(500_000, 1_000_000, 'missing')],
      1_000_000,
      1000,
    );
    expect(segs).toEqual([
      { from: 0, to: 500, status: 'materialized' },
      { from: 500, to: 1000, status: 'missing' },
    ]);
  });

  it('keeps a single failed partition among a million visible', () => {
    const segs = healthSegments(
      [
        r(0, 123_456, 'materialized'),
        r(123_456, 123_457, 'failed'),
        r(123_457, 1_000_000, 'materialized'),
      ],
      1_000_000,
      800,
    );
    expect(segs.filter((s) => s.status === 'failed')).toEqual([
      { from: 98, to: 99, status: 'failed' },
    ]);
    expect(segs).toHaveLength(3);
  });

  it('marks columns mixing materialized and missing as partial', () => {
    const segs = healthSegments([r(4, 5, 'materialized')], 3165, 1000);
    expect(segs.map((s) => s.status)).toEqual(['missing', 'partial', 'missing']);
  });

  it('treats indexes no range covers as missing and endIndex as exclusive', () => {
    const segs = healthSegments([r(0, 5, 'materialized')], 10, 10);
    expect(segs).toEqual([
      { from: 0, to: 5, status: 'materialized' },
      { from: 5, to: 10, status: 'missing' },
    ]);
  });

  it('stretches few partitions over the whole width', () => {
    const segs = healthSegments([r(0, 1, 'failed'), r(1, 2, 'materialized')], 2, 300);
    expect(segs).toEqual([
      { from: 0, to: 150, status: 'failed' },
      { from: 150, to: 300, status: 'materialized' },
    ]);
  });

  it('handles a million ranges (alternating statuses) in one pass', () => {
    const ranges = Array.from({ length: 1_000_000 }, (_, i) =>
      r(i, i + 1, i % 2 ? 'materialized' : 'missing'),
    );
    const segs = healthSegments(ranges, 1_000_000, 1200);
    expect(segs).toEqual([{ from: 0, to: 1200, status: 'partial' }]);
  });

  it('draws nothing for nothing', () => {
    expect(healthSegments([], 0, 100)).toEqual([]);
  });
});

describe('countSegments', () => {
  it('is proportional with at least one pixel per present status', () => {
    const segs = countSegments(
      { materialized: 999_999, failed: 1, inProgress: 0, missing: 0 },
      200,
    );
    expect(segs.map((s) => s.status)).toEqual(['materialized', 'failed']);
    expect(segs[1]!.to - segs[1]!.from).toBeGreaterThanOrEqual(1);
  });
});
