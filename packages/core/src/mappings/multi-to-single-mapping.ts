import { CairnError } from '../errors.js';
import {
  isMultiPartitions,
  isTimeWindowPartitions,
  type MultiPartitionsDefinition,
  type PartitionsDefinition,
} from '../partitions/partitions-definition.js';
import { describePartitions } from './describe-partitions.js';
import { expandMulti } from './expand-multi.js';
import { identityMapping } from './identity-mapping.js';
import { inPartitionOrder } from './key-order.js';
import { resolveContext } from './mapping-context.js';
import type { PartitionMapping } from './partition-mapping.js';
import { timeWindowMapping } from './time-window-mapping.js';

/** Options of `multiToSingleMapping`. */
export interface MultiToSingleMappingOptions {
  /**
   * The dimension of the multi definition that corresponds to the single-dimension definition.
   * Default: the only dimension whose partitions equal it, else the only time dimension when the
   * single definition is a time-window one.
   */
  dimension?: string;
}

/** How one multi/single pair of definitions is connected. */
interface Resolution {
  multiIsDownstream: boolean;
  multi: MultiPartitionsDefinition;
  single: PartitionsDefinition;
  dimension: string;
  dimensionPartitions: PartitionsDefinition;
  /** Maps the single definition to/from the dimension (identity, or timeWindow across grains). */
  inner: PartitionMapping;
}

function resolve(
  wanted: string | undefined,
  downstream: PartitionsDefinition | undefined,
  upstream: PartitionsDefinition | undefined,
): Resolution | string {
  const facts = `downstream is ${describePartitions(downstream)} and upstream is ${describePartitions(upstream)}`;
  if (isMultiPartitions(downstream) === isMultiPartitions(upstream) || !downstream || !upstream) {
    return `multiToSingle mapping needs exactly one multi-partitioned asset and one asset with single-dimension partitions, but ${facts}; use multiMapping() between two multi definitions or allMapping()`;
  }
  const multiIsDownstream = isMultiPartitions(downstream);
  const multi = (multiIsDownstream ? downstream : upstream) as MultiPartitionsDefinition;
  const single = multiIsDownstream ? upstream : downstream;
  const candidates =
    wanted === undefined ? multi.dimensions : multi.dimensions.filter((d) => d.name === wanted);
  if (candidates.length === 0) {
    return `multiToSingle mapping names dimension "${wanted}", but the multi definition has dimensions ${multi.dimensions.map((d) => `"${d.name}"`).join(', ')}; name one of those`;
  }
  const equal = candidates.filter((d) => d.partitions === single || d.partitions.equals(single));
  const found = (d: (typeof candidates)[number], inner: PartitionMapping): Resolution => ({
    multiIsDownstream,
    multi,
    single,
    dimension: d.name,
    dimensionPartitions: d.partitions,
    inner,
  });
  if (equal.length === 1) return found(equal[0]!, identityMapping());
  if (equal.length > 1) {
    return `multiToSingle mapping cannot choose between dimensions ${equal.map((d) => `"${d.name}"`).join(', ')}, which all equal the ${describePartitions(single)}; name one with multiToSingleMapping({ dimension })`;
  }
  const timeDims = candidates.filter((d) => isTimeWindowPartitions(d.partitions));
  if (isTimeWindowPartitions(single) && timeDims.length === 1) {
    const inner = timeWindowMapping();
    const dim = timeDims[0]!;
    const reason = multiIsDownstream
      ? inner.incompatibility(dim.partitions, single)
      : inner.incompatibility(single, dim.partitions);
    return reason ?? found(dim, inner);
  }
  return `multiToSingle mapping needs a dimension${wanted === undefined ? '' : ` ("${wanted}")`} of the multi definition equal to the single-dimension definition, or a single time dimension when that definition is time-windowed, but ${facts}; declare multiToSingleMapping({ dimension }) with a matching dimension, or customMapping({ ... })`;
}

/**
 * Connects a multi-partitioned asset with an asset partitioned by one of its dimensions, in either
 * direction, like Dagster's MultiToSingleDimensionPartitionMapping: a multi partition reads the
 * single partition of its `dimension` key, and a single partition X reads (or feeds) every multi
 * partition whose `dimension` key is X. When the dimension and the single definition are
 * time-windowed at different grains, they are matched by overlapping windows.
 *
 * @example
 * // downstream: multi { date: daily, region: static }, upstream: daily
 * multiToSingleMapping({ dimension: 'date' })
 */
export function multiToSingleMapping(
  options: MultiToSingleMappingOptions = {},
): PartitionMapping<'many'> {
  if (typeof options !== 'object' || options === null) {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      `multiToSingleMapping() takes { dimension? }, got ${String(options)}`,
    );
  }
  const wanted = options.dimension;
  if (wanted !== undefined && (typeof wanted !== 'string' || wanted === '')) {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      `multiToSingleMapping() dimension must be a dimension name, got ${JSON.stringify(wanted)}`,
      { dimension: wanted },
    );
  }
  // Definitions are immutable, so the resolution for the last pair seen can be reused.
  let cached: { d: unknown; u: unknown; r: Resolution } | undefined;
  const resolved = (d: PartitionsDefinition | undefined, u: PartitionsDefinition | undefined) => {
    if (cached !== undefined && cached.d === d && cached.u === u) return cached.r;
    const r = resolve(wanted, d, u);
    if (typeof r === 'string') {
      throw new CairnError('CAIRN_INCOMPATIBLE_MAPPING', r, {
        mapping: mapping.describe(),
        downstream: d?.snapshot(),
        upstream: u?.snapshot(),
      });
    }
    cached = { d, u, r };
    return r;
  };

  const mapping: PartitionMapping<'many'> = {
    type: 'multiToSingle',
    cardinality: 'many',
    upstreamKeys(args) {
      const r = resolved(args.downstream, args.upstream);
      const ctx = resolveContext(args);
      if (r.multiIsDownstream) {
        const dimKeys = dimensionKeys(r, args.downstreamKeys, ctx);
        return r.inner.upstreamKeys({
          ...ctx,
          downstreamKeys: dimKeys,
          downstream: r.dimensionPartitions,
          upstream: r.single,
        });
      }
      const dimKeys = r.inner.upstreamKeys({
        ...ctx,
        downstreamKeys: args.downstreamKeys,
        downstream: r.single,
        upstream: r.dimensionPartitions,
      });
      return expandInOrder(r, dimKeys, ctx);
    },
    downstreamKeys(args) {
      const r = resolved(args.downstream, args.upstream);
      const ctx = resolveContext(args);
      if (!r.multiIsDownstream) {
        const dimKeys = dimensionKeys(r, args.upstreamKeys, ctx);
        return r.inner.downstreamKeys({
          ...ctx,
          upstreamKeys: dimKeys,
          downstream: r.single,
          upstream: r.dimensionPartitions,
        });
      }
      const dimKeys = r.inner.downstreamKeys({
        ...ctx,
        upstreamKeys: args.upstreamKeys,
        downstream: r.dimensionPartitions,
        upstream: r.single,
      });
      return expandInOrder(r, dimKeys, ctx);
    },
    incompatibility(downstream, upstream) {
      const r = resolve(wanted, downstream, upstream);
      return typeof r === 'string' ? r : undefined;
    },
    describe: () =>
      wanted === undefined
        ? { type: 'multiToSingle' }
        : { type: 'multiToSingle', dimension: wanted },
  };
  return Object.freeze(mapping);
}

/**
 * The dimension `multiToSingleMapping()` would pick between these definitions, or undefined when
 * it cannot connect them (used by `inferMapping`).
 */
export function matchingDimension(
  downstream: PartitionsDefinition | undefined,
  upstream: PartitionsDefinition | undefined,
): string | undefined {
  const r = resolve(undefined, downstream, upstream);
  return typeof r === 'string' ? undefined : r.dimension;
}

/** The distinct `dimension` keys of the given multi keys, skipping keys that are not partitions. */
function dimensionKeys(
  r: Resolution,
  multiKeys: readonly string[],
  ctx: ReturnType<typeof resolveContext>,
): string[] {
  const out = new Set<string>();
  for (const key of multiKeys) {
    if (r.multi.indexOf(key, ctx) < 0) continue;
    const part = r.multi.split(key)[r.dimension];
    if (part !== undefined) out.add(part);
  }
  return [...out];
}

/** Every multi key whose `dimension` key is one of `dimKeys`, in multi partition order. */
function expandInOrder(
  r: Resolution,
  dimKeys: string[],
  ctx: ReturnType<typeof resolveContext>,
): string[] {
  if (dimKeys.length === 0) return [];
  return inPartitionOrder(
    r.multi,
    expandMulti(r.multi, new Map([[r.dimension, dimKeys]]), ctx),
    ctx,
  );
}
