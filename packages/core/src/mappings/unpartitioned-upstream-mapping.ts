import { describePartitions } from './describe-partitions.js';
import { assertCompatible } from './incompatible-error.js';
import { resolveContext } from './mapping-context.js';
import type { PartitionMapping } from './partition-mapping.js';

/**
 * A partitioned asset reading an unpartitioned one: every downstream partition reads the single
 * upstream value (`upstreamKeys` is `[]`, meaning that value), and a new upstream value concerns
 * every downstream partition. `inferMapping` picks it for such edges; declaring it is optional.
 *
 * @example
 * asset({ key: 'scored', partitions: daily, deps: { model: { asset: model, mapping: unpartitionedUpstreamMapping() } } }, ...)
 */
export function unpartitionedUpstreamMapping(): PartitionMapping<'one'> {
  const mapping: PartitionMapping<'one'> = {
    type: 'unpartitionedUpstream',
    cardinality: 'one',
    upstreamKeys(args) {
      if (args.upstream !== undefined) assertCompatible(mapping, args.downstream, args.upstream);
      return [];
    },
    downstreamKeys(args) {
      if (args.upstream !== undefined) assertCompatible(mapping, args.downstream, args.upstream);
      if (args.downstream === undefined) return [];
      return args.downstream.keys(resolveContext(args));
    },
    incompatibility(downstream, upstream) {
      if (upstream === undefined) return undefined;
      return `unpartitionedUpstream mapping needs an unpartitioned upstream asset, but upstream is ${describePartitions(upstream)} (downstream is ${describePartitions(downstream)}); declare a mapping for partitioned assets such as allMapping() or lastMapping()`;
    },
    describe: () => ({ type: 'unpartitionedUpstream' }),
  };
  return Object.freeze(mapping);
}
