import type { PartitionRange } from '../partition-ranges.js';
import { IndexMiss, type PgIndexSnapshot } from './pg-index-snapshot.js';

/**
 * The partition ranges a Postgres batch sees: the stored ranges the snapshot loaded (complete
 * over [lo, hi] per asset) under this batch's changes. `floor` and `startingAt` answer only inside
 * that coverage and raise `IndexMiss` outside it, so an answer is never a guess.
 */

/** One asset's changed ranges. */
export interface RangeWork {
  /** Sorted starts of every stored or changed range known (changes may delete them). */
  starts: number[];
  changes: Map<number, PartitionRange | null>;
  /** True after the asset was wiped: `changes` is the whole truth. */
  complete: boolean;
}

/** The ranges of the assets a batch touches, over a snapshot. */
export class PgRangeOverlay {
  /** The changed ranges, per asset (what the flush writes). */
  readonly works = new Map<string, RangeWork>();
  readonly #base: PgIndexSnapshot;

  constructor(base: PgIndexSnapshot) {
    this.#base = base;
  }

  /** Forgets every range of an asset (deleteAsset). */
  wipe(assetKey: string): void {
    this.works.set(assetKey, { starts: [], changes: new Map(), complete: true });
  }

  #work(assetKey: string, index: number): RangeWork {
    let work = this.works.get(assetKey);
    if (work === undefined) {
      const cov = this.#base.ranges.get(assetKey);
      if (cov === undefined) throw new IndexMiss({ kind: 'ranges', assetKey, index });
      work = {
        starts: [...cov.byStart.keys()].sort((a, b) => a - b),
        changes: new Map(),
        complete: false,
      };
      this.works.set(assetKey, work);
    }
    if (!work.complete) {
      const cov = this.#base.ranges.get(assetKey);
      if (cov === undefined || index < cov.lo || index > cov.hi) {
        throw new IndexMiss({ kind: 'ranges', assetKey, index });
      }
    }
    return work;
  }

  #range(assetKey: string, work: RangeWork, start: number): PartitionRange | undefined {
    const changed = work.changes.get(start);
    if (changed !== undefined) return changed ?? undefined;
    if (work.complete) return undefined;
    return this.#base.ranges.get(assetKey)?.byStart.get(start);
  }

  /** The range with the greatest start <= index. */
  floor(assetKey: string, index: number): PartitionRange | undefined {
    const work = this.#work(assetKey, index);
    const lo = work.complete ? 0 : this.#base.ranges.get(assetKey)!.lo;
    // Binary search the last start <= index, then step down over ranges this batch deleted.
    let a = 0;
    let b = work.starts.length;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (work.starts[mid]! <= index) a = mid + 1;
      else b = mid;
    }
    for (let i = a - 1; i >= 0; i--) {
      const start = work.starts[i]!;
      if (start < lo) break;
      const range = this.#range(assetKey, work, start);
      if (range !== undefined) return range;
    }
    if (lo === 0) return undefined;
    throw new IndexMiss({ kind: 'ranges', assetKey, index: lo - 1 });
  }

  /** The range starting at `index`. */
  startingAt(assetKey: string, index: number): PartitionRange | undefined {
    return this.#range(assetKey, this.#work(assetKey, index), index);
  }

  /** Inserts or replaces the range starting at `range.startIndex`. */
  upsert(assetKey: string, range: PartitionRange): void {
    this.#change(assetKey, range.startIndex, { ...range });
  }

  /** Deletes the range starting at `startIndex`. */
  delete(assetKey: string, startIndex: number): void {
    this.#change(assetKey, startIndex, null);
  }

  #change(assetKey: string, start: number, range: PartitionRange | null): void {
    const work = this.#work(assetKey, start);
    if (!work.changes.has(start)) {
      // Binary search: a batch of 10,000 changes on a fragmented asset must not go quadratic.
      let a = 0;
      let b = work.starts.length;
      while (a < b) {
        const mid = (a + b) >> 1;
        if (work.starts[mid]! < start) a = mid + 1;
        else b = mid;
      }
      if (work.starts[a] !== start) work.starts.splice(a, 0, start);
    }
    work.changes.set(start, range);
  }
}
