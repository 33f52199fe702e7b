import type { AnyAssetDefinition } from '../asset-types.js';
import type { PartitionsContext } from '../partitions/partitions-definition.js';
import { PartitionSubset } from './partition-subset.js';

/**
 * The key automation uses for the single implicit partition of an unpartitioned asset. Partition
 * keys are never empty, so it cannot collide with a real key; it maps to `undefined` at the edges.
 */
export const UNPARTITIONED = '';

/** `undefined` for the unpartitioned key, the key itself otherwise. */
export function toPartitionKey(key: string): string | undefined {
  return key === UNPARTITIONED ? undefined : key;
}

/** The internal key of a partition key given by a caller (`undefined` → unpartitioned). */
export function fromPartitionKey(key: string | undefined): string {
  return key ?? UNPARTITIONED;
}

/**
 * The partitions of one asset at one tick, numbered: index ↔ key. Counting is done once per tick
 * (time-window definitions answer it arithmetically), so subsets can be index ranges instead of
 * key lists and a 1,000-partition window never builds its keys unless someone enumerates it.
 */
export class AssetSpace {
  /** Number of partitions at the tick (1 for an unpartitioned asset). */
  readonly count: number;
  readonly partitioned: boolean;

  constructor(
    readonly asset: AnyAssetDefinition,
    readonly ctx: PartitionsContext,
    /** The count when the caller already has it (a tick counts each definition once). */
    count?: number,
  ) {
    this.partitioned = asset.partitions !== undefined;
    this.count = count ?? (asset.partitions === undefined ? 1 : asset.partitions.count(ctx));
    this.emptySubset = PartitionSubset.createEmpty(this);
    this.allSubset = PartitionSubset.createAll(this);
  }

  /** The empty subset of this space (shared: subsets are immutable). */
  readonly emptySubset: PartitionSubset;
  /** Every partition of this space. */
  readonly allSubset: PartitionSubset;

  /** The index of `key`, or -1 when it is not a partition at the tick. */
  indexOf(key: string): number {
    const p = this.asset.partitions;
    if (p === undefined) return key === UNPARTITIONED ? 0 : -1;
    if (key === UNPARTITIONED) return -1;
    return p.indexOf(key, this.ctx);
  }

  /** The key at `index` (trusted to be in range). */
  keyAt(index: number): string {
    const p = this.asset.partitions;
    return p === undefined ? UNPARTITIONED : p.keyAt(index, this.ctx);
  }
}
