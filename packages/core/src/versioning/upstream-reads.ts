import type { AnyAssetDefinition } from '../asset-types.js';
import type { Definitions } from '../definitions-types.js';
import type { PartitionsContext } from '../partitions/partitions-definition.js';
import { inputRef } from './data-version.js';
import type { StalenessReader } from './staleness-reader.js';

/** The partitions of one upstream asset that a downstream partition reads. */
export interface UpstreamRead {
  assetKey: string;
  /** Upstream partition keys in upstream order; `[undefined]` for an unpartitioned upstream. */
  partitionKeys: (string | undefined)[];
}

/**
 * The upstream partitions one asset partition reads, per dependency (in the order of its deps),
 * through each edge's partition mapping. Every dependency counts, data-passing or ordering-only,
 * because both decide what the asset computes from. Trusts that the definitions are validated and
 * the partition key belongs to the asset.
 */
export function upstreamReads(
  defs: Definitions,
  asset: AnyAssetDefinition,
  partitionKey: string | undefined,
  ctx: PartitionsContext = {},
): UpstreamRead[] {
  const reads: UpstreamRead[] = [];
  const args = {
    downstreamKeys: partitionKey === undefined ? [] : [partitionKey],
    downstream: asset.partitions,
    now: ctx.now,
    dynamic: ctx.dynamic,
  };
  for (const depKey of new Set(asset.deps.map((d) => d.key))) {
    const upstream = defs.assets.get(depKey);
    if (upstream?.partitions === undefined) {
      reads.push({ assetKey: depKey, partitionKeys: [undefined] });
      continue;
    }
    // Each input has its own resolved mapping (an asset may read one upstream twice, e.g. today
    // and yesterday); the partitions read are their union, in upstream order of first mention.
    const edge = defs.graph.edge(depKey, asset.key);
    const mappings = edge?.deps.map((d) => d.mapping) ?? [defs.mapping(asset.key, depKey)];
    let keys: (string | undefined)[] = [];
    for (const mapping of mappings) {
      const more = mapping.upstreamKeys({ ...args, upstream: upstream.partitions });
      if (keys.length === 0) keys = more;
      else {
        const have = new Set(keys);
        for (const k of more) if (!have.has(k)) keys.push(k);
      }
    }
    reads.push({ assetKey: depKey, partitionKeys: keys });
  }
  return reads;
}

/**
 * The `inputDataVersions` a materialization of this asset partition would record now: input ref →
 * current data version of every upstream partition it reads that has one. The engine records this
 * with each materialization; staleness compares it with the current versions later.
 */
export function currentInputDataVersions(
  defs: Definitions,
  asset: AnyAssetDefinition,
  partitionKey: string | undefined,
  reader: Pick<StalenessReader, 'currentDataVersion'>,
  ctx: PartitionsContext = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const read of upstreamReads(defs, asset, partitionKey, ctx)) {
    for (const upk of read.partitionKeys) {
      const current = reader.currentDataVersion(read.assetKey, upk);
      if (current !== undefined) out[inputRef(read.assetKey, upk)] = current.dataVersion;
    }
  }
  return out;
}
