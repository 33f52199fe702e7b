import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compressToRanges,
  type PartitionRange,
  planStatusChange,
} from '../../src/storage/partition-ranges.js';
import type { PartitionStatus } from '../../src/storage/schema.js';

/** An in-memory range table applying planned changes exactly as the SQL store does. */
class MemoryRanges {
  readonly byStart = new Map<number, PartitionRange>();
  readonly counts = new Map<PartitionStatus, number>();

  floor(index: number): PartitionRange | undefined {
    let best: PartitionRange | undefined;
    for (const r of this.byStart.values()) {
      if (r.startIndex <= index && (best === undefined || r.startIndex > best.startIndex)) best = r;
    }
    return best;
  }

  startingAt(index: number): PartitionRange | undefined {
    return this.byStart.get(index);
  }

  set(index: number, status: PartitionStatus | null): void {
    const change = planStatusChange(this, index, status);
    if (change === undefined) return;
    for (const d of change.deletes) this.byStart.delete(d);
    for (const u of change.upserts) this.byStart.set(u.startIndex, { ...u });
    for (const [s, delta] of change.counts) this.counts.set(s, (this.counts.get(s) ?? 0) + delta);
  }

  list(): PartitionRange[] {
    return [...this.byStart.values()].sort((a, b) => a.startIndex - b.startIndex);
  }
}

function model(statuses: (PartitionStatus | null)[]): PartitionRange[] {
  const entries: [number, PartitionStatus][] = [];
  statuses.forEach((s, i) => {
    if (s !== null) entries.push([i, s]);
  });
  return compressToRanges(entries);
}

const status = fc.constantFrom<PartitionStatus | null>(
  'materialized',
  'failed',
  'in_progress',
  null,
);

describe('planStatusChange', () => {
  it('extends a range when partitions are set in order (one upsert, no delete)', () => {
    const r = new MemoryRanges();
    r.set(0, 'materialized');
    const change = planStatusChange(r, 1, 'materialized');
    expect(change).toEqual({
      deletes: [],
      upserts: [{ startIndex: 0, endIndex: 2, status: 'materialized' }],
      counts: [['materialized', 1]],
    });
  });

  it('splits a range in three and merges it back', () => {
    const r = new MemoryRanges();
    for (let i = 0; i < 10; i++) r.set(i, 'materialized');
    expect(r.list()).toEqual([{ startIndex: 0, endIndex: 10, status: 'materialized' }]);
    r.set(4, 'failed');
    expect(r.list()).toEqual([
      { startIndex: 0, endIndex: 4, status: 'materialized' },
      { startIndex: 4, endIndex: 5, status: 'failed' },
      { startIndex: 5, endIndex: 10, status: 'materialized' },
    ]);
    expect(r.counts.get('materialized')).toBe(9);
    expect(r.counts.get('failed')).toBe(1);
    r.set(4, null);
    expect(r.list()).toEqual([
      { startIndex: 0, endIndex: 4, status: 'materialized' },
      { startIndex: 5, endIndex: 10, status: 'materialized' },
    ]);
    r.set(4, 'materialized');
    expect(r.list()).toEqual([{ startIndex: 0, endIndex: 10, status: 'materialized' }]);
    expect(r.counts.get('materialized')).toBe(10);
    expect(r.counts.get('failed')).toBe(0);
  });

  it('changes the edges of a range and merges with the neighbour of the new status', () => {
    const r = new MemoryRanges();
    for (let i = 0; i < 3; i++) r.set(i, 'failed');
    for (let i = 3; i < 6; i++) r.set(i, 'materialized');
    r.set(3, 'failed');
    expect(r.list()).toEqual([
      { startIndex: 0, endIndex: 4, status: 'failed' },
      { startIndex: 4, endIndex: 6, status: 'materialized' },
    ]);
    r.set(3, 'materialized');
    r.set(2, 'materialized');
    expect(r.list()).toEqual([
      { startIndex: 0, endIndex: 2, status: 'failed' },
      { startIndex: 2, endIndex: 6, status: 'materialized' },
    ]);
  });

  it('returns undefined when nothing changes', () => {
    const r = new MemoryRanges();
    expect(planStatusChange(r, 3, null)).toBeUndefined();
    r.set(3, 'failed');
    expect(planStatusChange(r, 3, 'failed')).toBeUndefined();
  });

  it('keeps ranges maximal and counts exact for any sequence of changes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 24 }), status), { maxLength: 200 }),
        (ops) => {
          const r = new MemoryRanges();
          const statuses: (PartitionStatus | null)[] = new Array(25).fill(null);
          for (const [i, s] of ops) {
            r.set(i, s);
            statuses[i] = s;
          }
          expect(r.list()).toEqual(model(statuses));
          for (const s of ['materialized', 'failed', 'in_progress'] as const) {
            expect(r.counts.get(s) ?? 0).toBe(statuses.filter((x) => x === s).length);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('compressToRanges', () => {
  it('compresses sorted entries and ignores a repeated index', () => {
    expect(
      compressToRanges([
        [0, 'materialized'],
        [1, 'materialized'],
        [1, 'failed'],
        [2, 'failed'],
        [5, 'failed'],
      ]),
    ).toEqual([
      { startIndex: 0, endIndex: 2, status: 'materialized' },
      { startIndex: 2, endIndex: 3, status: 'failed' },
      { startIndex: 5, endIndex: 6, status: 'failed' },
    ]);
  });
});
