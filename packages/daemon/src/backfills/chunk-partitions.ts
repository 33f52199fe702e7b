import type { BackfillPolicy } from '@cairn/core';
import type { StoredBackfillChunk } from '../storage/index.js';

/**
 * Splits a group's asset partitions into chunks, one run each. Keys needed by the same set of
 * assets are chunked together (so a run never recomputes a partition that is not in the
 * backfill), in partition order, at most `maxPerRun` keys per chunk.
 */

/** The most partitions one run of a group may cover: 1 if any asset is multi-run, else the smallest limit. */
export function maxPartitionsPerRun(policies: readonly BackfillPolicy[]): number {
  let max = Number.POSITIVE_INFINITY;
  for (const policy of policies) {
    if (policy.type === 'multi-run') return 1;
    max = Math.min(max, policy.maxPartitionsPerRun ?? Number.POSITIVE_INFINITY);
  }
  return max;
}

/**
 * The chunks of one group. `keysByAsset` lists, for each asset of the group (in topological
 * order), the keys to backfill; `indexOf` orders keys by their position in the partitions
 * definition.
 */
export function chunkGroup(
  group: number,
  keysByAsset: ReadonlyMap<string, readonly string[]>,
  maxPerRun: number,
  indexOf: (key: string) => number,
): StoredBackfillChunk[] {
  const assetsOfKey = new Map<string, string[]>();
  for (const [assetKey, keys] of keysByAsset) {
    for (const key of keys) {
      const assets = assetsOfKey.get(key);
      if (assets === undefined) assetsOfKey.set(key, [assetKey]);
      else assets.push(assetKey);
    }
  }
  const ordered = [...assetsOfKey.keys()]
    .map((key) => [key, indexOf(key)] as const)
    .sort((a, b) => a[1] - b[1]);
  // Keys by the set of assets needing them, each list in partition order.
  const bySignature = new Map<string, { assetKeys: string[]; keys: [string, number][] }>();
  for (const [key, index] of ordered) {
    const assetKeys = assetsOfKey.get(key)!;
    const signature = assetKeys.join('\n');
    let entry = bySignature.get(signature);
    if (entry === undefined) {
      entry = { assetKeys, keys: [] };
      bySignature.set(signature, entry);
    }
    entry.keys.push([key, index]);
  }
  const chunks: { first: number; chunk: StoredBackfillChunk }[] = [];
  for (const { assetKeys, keys } of bySignature.values()) {
    const size = Number.isFinite(maxPerRun) ? maxPerRun : keys.length;
    for (let i = 0; i < keys.length; i += size) {
      const slice = keys.slice(i, i + size);
      chunks.push({
        first: slice[0]![1],
        chunk: { group, assetKeys, partitionKeys: slice.map(([key]) => key) },
      });
    }
  }
  return chunks.sort((a, b) => a.first - b.first).map((c) => c.chunk);
}
