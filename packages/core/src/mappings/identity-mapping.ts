import {
  isMultiPartitions,
  type PartitionsDefinition,
  type TimeWindowPartitionsDefinition,
} from '../partitions/partitions-definition.js';
import { describePartitions } from './describe-partitions.js';
import { assertCompatible } from './incompatible-error.js';
import { inPartitionOrder } from './key-order.js';
import { resolveContext } from './mapping-context.js';
import type { PartitionMapping } from './partition-mapping.js';
import { suggestMapping } from './suggest-mapping.js';

function sameDimensionNames(a: PartitionsDefinition, b: PartitionsDefinition): boolean {
  if (!isMultiPartitions(a) || !isMultiPartitions(b)) return false;
  return (
    a.dimensions.length === b.dimensions.length &&
    a.dimensions.every((d, i) => d.name === b.dimensions[i]?.name)
  );
}

function identityIncompatibility(
  downstream: PartitionsDefinition | undefined,
  upstream: PartitionsDefinition | undefined,
): string | undefined {
  if (downstream === undefined && upstream === undefined) return undefined;
  const facts = `downstream is ${describePartitions(downstream)} and upstream is ${describePartitions(upstream)}`;
  const advice = `declare ${suggestMapping(downstream, upstream)} instead`;
  if (downstream === undefined || upstream === undefined) {
    return `identity mapping needs both assets partitioned or both unpartitioned, but ${facts}; ${advice}`;
  }
  if (downstream === upstream || downstream.equals(upstream)) return undefined;
  const sameKind =
    downstream.type === upstream.type &&
    (downstream.type !== 'time' ||
      sameTimeGrid(
        downstream as TimeWindowPartitionsDefinition,
        upstream as TimeWindowPartitionsDefinition,
      )) &&
    (downstream.type !== 'multi' || sameDimensionNames(downstream, upstream));
  if (sameKind) return undefined;
  return `identity mapping needs both assets to have the same partitions, but ${facts}; ${advice}`;
}

/** Two time-window definitions whose keys name the same windows (their start or end may differ). */
function sameTimeGrid(
  a: TimeWindowPartitionsDefinition,
  b: TimeWindowPartitionsDefinition,
): boolean {
  return a.cron === b.cron && a.timezone === b.timezone && a.fmt === b.fmt;
}

/**
 * Each downstream partition reads the upstream partition with the same key. Both assets must have
 * the same partitions (or the same kind: two static, two dynamic, or two time-window definitions
 * on the same cron, timezone and format); keys missing on the other side map to nothing.
 *
 * @example
 * asset({ key: 'clean', partitions: daily, deps: { raw: { asset: raw, mapping: identityMapping() } } }, ...)
 */
export function identityMapping(): PartitionMapping<'one'> {
  const mapping: PartitionMapping<'one'> = {
    type: 'identity',
    cardinality: 'one',
    upstreamKeys(args) {
      if (args.downstream === undefined || args.upstream === undefined) {
        assertCompatible(mapping, args.downstream, args.upstream);
        return [];
      }
      return inPartitionOrder(args.upstream, args.downstreamKeys, resolveContext(args));
    },
    downstreamKeys(args) {
      if (args.downstream === undefined || args.upstream === undefined) {
        assertCompatible(mapping, args.downstream, args.upstream);
        return [];
      }
      return inPartitionOrder(args.downstream, args.upstreamKeys, resolveContext(args));
    },
    incompatibility: identityIncompatibility,
    describe: () => ({ type: 'identity' }),
  };
  return Object.freeze(mapping);
}
