import type { AssetSpace } from './asset-space.js';

const NONE: ReadonlySet<string> = new Set();

/**
 * A set of partitions of one asset: an index range `[lo, hi)` minus `except`, plus `extra` keys
 * outside the range. Conditions pass these between each other; the range form lets "the latest
 * 1,000 days" stay two numbers, so a condition over a wide window costs what its changes cost.
 * Invariants: every `except` key is inside the range, every `extra` key outside it.
 */
export class PartitionSubset {
  private constructor(
    readonly space: AssetSpace,
    readonly lo: number,
    readonly hi: number,
    readonly except: ReadonlySet<string>,
    readonly extra: ReadonlySet<string>,
  ) {}

  /** No partitions. */
  static empty(space: AssetSpace): PartitionSubset {
    return space.emptySubset;
  }

  /** Creates the one empty subset of a space (AssetSpace caches it). */
  static createEmpty(space: AssetSpace): PartitionSubset {
    return new PartitionSubset(space, 0, 0, NONE, NONE);
  }

  /** Every partition of the asset at the tick. */
  static all(space: AssetSpace): PartitionSubset {
    return space.allSubset;
  }

  /** Creates the full subset of a space (AssetSpace caches it). */
  static createAll(space: AssetSpace): PartitionSubset {
    return space.count === 0
      ? space.emptySubset
      : new PartitionSubset(space, 0, space.count, NONE, NONE);
  }

  /** The partitions with index in `[lo, hi)`, clamped to the asset's partitions. */
  static range(space: AssetSpace, lo: number, hi: number): PartitionSubset {
    const l = Math.max(0, lo);
    const h = Math.min(space.count, hi);
    if (h <= l) return space.emptySubset;
    return l === 0 && h === space.count
      ? space.allSubset
      : new PartitionSubset(space, l, h, NONE, NONE);
  }

  /** The given keys; keys that are not partitions of the asset at the tick are dropped. */
  static of(space: AssetSpace, keys: Iterable<string>): PartitionSubset {
    let set: Set<string> | undefined;
    for (const k of keys) {
      if (space.indexOf(k) < 0) continue;
      set ??= new Set();
      set.add(k);
    }
    return set === undefined ? space.emptySubset : new PartitionSubset(space, 0, 0, NONE, set);
  }

  /** Keys already known to be partitions of the asset (skips the membership test). */
  static trusted(space: AssetSpace, keys: ReadonlySet<string>): PartitionSubset {
    return keys.size === 0 ? space.emptySubset : new PartitionSubset(space, 0, 0, NONE, keys);
  }

  /** Number of partitions in the subset. */
  get size(): number {
    return this.hi - this.lo - this.except.size + this.extra.size;
  }

  /** True when the subset has no partitions. */
  get isEmpty(): boolean {
    return this.size === 0;
  }

  /** True when `key` is in the subset. */
  has(key: string): boolean {
    if (this.extra.has(key)) return true;
    if (this.hi <= this.lo) return false;
    const i = this.space.indexOf(key);
    return i >= this.lo && i < this.hi && !this.except.has(key);
  }

  private inRange(key: string): boolean {
    if (this.hi <= this.lo) return false;
    const i = this.space.indexOf(key);
    return i >= this.lo && i < this.hi;
  }

  /** Iterates the keys: the range in index order, then the extra keys. */
  *keys(): IterableIterator<string> {
    for (let i = this.lo; i < this.hi; i++) {
      const k = this.space.keyAt(i);
      if (!this.except.has(k)) yield k;
    }
    yield* this.extra;
  }

  /** The keys as an array (builds the range's keys: mind wide ranges). */
  toArray(): string[] {
    return [...this.keys()];
  }

  /** True when the subset is a plain index range (no exceptions, no extra keys). */
  private get plain(): boolean {
    return this.except.size === 0 && this.extra.size === 0;
  }

  /** The partitions in both subsets. */
  intersect(other: PartitionSubset): PartitionSubset {
    if (this.isEmpty) return this;
    if (other.isEmpty) return other;
    if (this.plain && other.plain) {
      if (this.lo <= other.lo && other.hi <= this.hi) return other;
      if (other.lo <= this.lo && this.hi <= other.hi) return this;
      return PartitionSubset.range(
        this.space,
        Math.max(this.lo, other.lo),
        Math.min(this.hi, other.hi),
      );
    }
    // Iterate the smaller explicit side when one subset is only keys.
    if (this.hi <= this.lo) return this.filterExtra((k) => other.has(k));
    if (other.hi <= other.lo) return other.filterExtra((k) => this.has(k));
    const lo = Math.max(this.lo, other.lo);
    const hi = Math.min(this.hi, other.hi);
    const except = new Set<string>();
    if (hi > lo) {
      for (const k of this.except) if (this.inIndex(k, lo, hi)) except.add(k);
      for (const k of other.except) if (this.inIndex(k, lo, hi)) except.add(k);
    }
    const extra = new Set<string>();
    for (const k of this.extra) if (other.has(k)) extra.add(k);
    for (const k of other.extra) if (this.has(k)) extra.add(k);
    return this.make(lo, hi, except, extra);
  }

  /** The partitions in either subset. */
  union(other: PartitionSubset): PartitionSubset {
    if (other.isEmpty) return this;
    if (this.isEmpty) return other;
    if (this.plain && other.plain && this.lo <= other.hi && other.lo <= this.hi)
      return PartitionSubset.range(
        this.space,
        Math.min(this.lo, other.lo),
        Math.max(this.hi, other.hi),
      );
    const a = this.hi > this.lo;
    const b = other.hi > other.lo;
    if (a && b && this.lo <= other.hi && other.lo <= this.hi) {
      const lo = Math.min(this.lo, other.lo);
      const hi = Math.max(this.hi, other.hi);
      const except = new Set<string>();
      for (const k of this.except) if (!other.has(k)) except.add(k);
      for (const k of other.except) if (!this.has(k)) except.add(k);
      const extra = new Set<string>();
      for (const k of this.extra) if (!this.inIndex(k, lo, hi)) extra.add(k);
      for (const k of other.extra) if (!this.inIndex(k, lo, hi)) extra.add(k);
      return this.make(lo, hi, except, extra);
    }
    // Disjoint ranges: keep the wider one as a range and list the other's keys.
    const [wide, narrow] = this.hi - this.lo >= other.hi - other.lo ? [this, other] : [other, this];
    const extra = new Set(wide.extra);
    const except = new Set(wide.except);
    for (const k of narrow.keys()) {
      if (wide.inRange(k)) except.delete(k);
      else extra.add(k);
    }
    return this.make(wide.lo, wide.hi, except, extra);
  }

  /** The partitions of this subset that are not in `other`. */
  minus(other: PartitionSubset): PartitionSubset {
    if (this.isEmpty || other.isEmpty) return this;
    if (other.plain && other.lo <= this.lo && this.hi <= other.hi && this.extra.size === 0)
      return PartitionSubset.empty(this.space);
    if (this.hi <= this.lo) return this.filterExtra((k) => !other.has(k));
    // Keep the larger piece of this range outside other's range; list the rest.
    let lo = this.lo;
    let hi = this.hi;
    const extra = new Set<string>();
    const except = new Set<string>();
    if (other.hi > other.lo && other.lo < this.hi && this.lo < other.hi) {
      const left = Math.max(0, Math.min(this.hi, other.lo) - this.lo);
      const right = Math.max(0, this.hi - Math.max(this.lo, other.hi));
      const [keepLo, keepHi] =
        left >= right ? [this.lo, this.lo + left] : [this.hi - right, this.hi];
      // Everything of this range that is not kept: in other's range (and not in other) or the smaller piece.
      for (let i = this.lo; i < this.hi; i++) {
        if (i >= keepLo && i < keepHi) continue;
        const k = this.space.keyAt(i);
        if (!this.except.has(k) && !other.has(k)) extra.add(k);
      }
      lo = keepLo;
      hi = keepHi;
    }
    for (const k of this.except) if (this.inIndex(k, lo, hi)) except.add(k);
    for (const k of other.extra) if (this.inIndex(k, lo, hi)) except.add(k);
    for (const k of this.extra) if (!other.has(k)) extra.add(k);
    return this.make(lo, hi, except, extra);
  }

  /** The partitions for which `keep` is true (enumerates the subset). */
  filter(keep: (key: string) => boolean): PartitionSubset {
    let out: Set<string> | undefined;
    if (this.hi - this.lo === 1 && this.extra.size === 0) {
      // The common unpartitioned case: one key, no iterator.
      const k = this.space.keyAt(this.lo);
      return this.except.has(k) || !keep(k) ? PartitionSubset.empty(this.space) : this;
    }
    for (const k of this.keys()) {
      if (!keep(k)) continue;
      out ??= new Set();
      out.add(k);
    }
    return out === undefined
      ? PartitionSubset.empty(this.space)
      : PartitionSubset.trusted(this.space, out);
  }

  private filterExtra(keep: (key: string) => boolean): PartitionSubset {
    const out = new Set<string>();
    for (const k of this.extra) if (keep(k)) out.add(k);
    return PartitionSubset.trusted(this.space, out);
  }

  private inIndex(key: string, lo: number, hi: number): boolean {
    if (hi <= lo) return false;
    const i = this.space.indexOf(key);
    return i >= lo && i < hi;
  }

  private make(lo: number, hi: number, except: Set<string>, extra: Set<string>): PartitionSubset {
    if (hi <= lo) return new PartitionSubset(this.space, 0, 0, NONE, extra.size ? extra : NONE);
    return new PartitionSubset(
      this.space,
      lo,
      hi,
      except.size ? except : NONE,
      extra.size ? extra : NONE,
    );
  }
}
