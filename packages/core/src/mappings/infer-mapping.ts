import { CairnError } from '../errors.js';
import {
  isMultiPartitions,
  isTimeWindowPartitions,
  type PartitionsDefinition,
} from '../partitions/partitions-definition.js';
import { allMapping } from './all-mapping.js';
import { describePartitions } from './describe-partitions.js';
import { identityMapping } from './identity-mapping.js';
import { matchingDimension, multiToSingleMapping } from './multi-to-single-mapping.js';
import type { PartitionMapping } from './partition-mapping.js';
import { suggestMapping } from './suggest-mapping.js';
import { timeWindowMapping } from './time-window-mapping.js';
import { unpartitionedUpstreamMapping } from './unpartitioned-upstream-mapping.js';

/** Names the edge in inference errors; both fields optional. */
export interface InferMappingEdge {
  /** The downstream asset key, e.g. `shop/daily_revenue`. */
  downstreamKey?: string;
  /** The upstream asset key, e.g. `shop/raw_orders`. */
  upstreamKey?: string;
}

/**
 * The mapping a dependency gets when it declares none, following Dagster's inference:
 *
 * | downstream | upstream | mapping |
 * |---|---|---|
 * | unpartitioned | unpartitioned | identityMapping() (the single value) |
 * | unpartitioned | partitioned | allMapping() |
 * | partitioned | unpartitioned | unpartitionedUpstreamMapping() (the single value) |
 * | same partitions (`equals`) | | identityMapping() |
 * | time-window | time-window | timeWindowMapping() (overlap) |
 * | multi with a dimension matching the single side, or vice versa | | multiToSingleMapping({ dimension }) |
 *
 * Anything else throws CAIRN_INCOMPATIBLE_MAPPING saying which mapping to declare.
 */
export function inferMapping(
  downstream: PartitionsDefinition | undefined,
  upstream: PartitionsDefinition | undefined,
  edge: InferMappingEdge = {},
): PartitionMapping {
  if (downstream === undefined && upstream === undefined) return identityMapping();
  if (downstream === undefined) return allMapping();
  if (upstream === undefined) return unpartitionedUpstreamMapping();
  if (downstream === upstream || downstream.equals(upstream)) return identityMapping();

  let reason: string | undefined;
  if (isTimeWindowPartitions(downstream) && isTimeWindowPartitions(upstream)) {
    const mapping = timeWindowMapping();
    reason = mapping.incompatibility(downstream, upstream);
    if (reason === undefined) return mapping;
  } else if (isMultiPartitions(downstream) !== isMultiPartitions(upstream)) {
    const dimension = matchingDimension(downstream, upstream);
    if (dimension !== undefined) return multiToSingleMapping({ dimension });
    reason = multiToSingleMapping().incompatibility(downstream, upstream);
  }

  const from = edge.upstreamKey === undefined ? 'the upstream asset' : `"${edge.upstreamKey}"`;
  const to = edge.downstreamKey === undefined ? 'the downstream asset' : `"${edge.downstreamKey}"`;
  throw new CairnError(
    'CAIRN_INCOMPATIBLE_MAPPING',
    `Cannot infer a partition mapping from ${from} (${describePartitions(upstream)}) to ${to} (${describePartitions(downstream)})${reason === undefined ? '' : `: ${reason}`}; declare the mapping on the dependency, e.g. { asset, mapping: ${suggestMapping(downstream, upstream)} }`,
    {
      downstreamKey: edge.downstreamKey,
      upstreamKey: edge.upstreamKey,
      downstream: downstream.snapshot(),
      upstream: upstream.snapshot(),
    },
  );
}
