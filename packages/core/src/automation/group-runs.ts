import type { Definitions } from '../definitions-types.js';
import { fromPartitionKey } from './asset-space.js';
import type { PartitionSubset } from './partition-subset.js';
import type { AssetEvaluationContext } from './tick-context.js';

/** A group of requested asset partitions that run together: one partition key, connected by dependencies. */
export interface RequestGroup {
  /** Internal partition key (`""` for unpartitioned). */
  key: string;
  /** Asset keys in topological order. */
  assetKeys: string[];
}

/**
 * Groups requested asset partitions into runs: two requested partitions with the same key join
 * one run when one reads the other (directly; groups merge transitively), so a chain of eager
 * assets updated by one upstream change becomes one run ordered by the engine. Partitions of
 * unconnected assets, or with different keys, run separately.
 */
export function groupRequests(
  defs: Definitions,
  order: readonly string[],
  requested: ReadonlyMap<string, PartitionSubset>,
  contexts: ReadonlyMap<string, AssetEvaluationContext>,
): RequestGroup[] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root)!;
    // Path compression keeps long eager chains near-constant per lookup.
    let cur = x;
    while (cur !== root) {
      const next = parent.get(cur)!;
      parent.set(cur, root);
      cur = next;
    }
    return root;
  };
  const id = (assetKey: string, key: string) => `${assetKey}\0${key}`;
  const nodes: [string, string][] = [];
  for (const assetKey of order) {
    const subset = requested.get(assetKey);
    if (subset === undefined || subset.isEmpty) continue;
    const ctx = contexts.get(assetKey)!;
    for (const key of subset.keys()) {
      const me = id(assetKey, key);
      parent.set(me, me);
      nodes.push([assetKey, key]);
      for (const up of defs.graph.parents(assetKey)) {
        if (!(requested.get(up)?.has(key) ?? false)) continue;
        const read = ctx.reads(key).find((r) => r.assetKey === up);
        if (read?.partitionKeys.some((k) => fromPartitionKey(k) === key)) {
          parent.set(find(me), find(id(up, key)));
        }
      }
    }
  }
  const groups = new Map<string, RequestGroup>();
  for (const [assetKey, key] of nodes) {
    const root = find(id(assetKey, key));
    let g = groups.get(root);
    if (g === undefined) {
      g = { key, assetKeys: [] };
      groups.set(root, g);
    }
    g.assetKeys.push(assetKey);
  }
  return [...groups.values()];
}
