import { resolveContext } from './mapping-context.js';
import type { PartitionMapping } from './partition-mapping.js';

/**
 * Every downstream partition reads every upstream partition; the input is a `Map` from upstream
 * key to value. The default when an unpartitioned asset depends on a partitioned one.
 *
 * An empty key list on a partitioned side means "no partitions", so it maps to nothing; on an
 * unpartitioned side it means the single implicit partition, which maps to everything.
 *
 * @example
 * asset({ key: 'report', deps: { orders: { asset: dailyOrders, mapping: allMapping() } } }, ...)
 */
export function allMapping(): PartitionMapping<'many'> {
  const mapping: PartitionMapping<'many'> = {
    type: 'all',
    cardinality: 'many',
    upstreamKeys(args) {
      if (args.upstream === undefined) return [];
      if (args.downstream !== undefined && args.downstreamKeys.length === 0) return [];
      // The full list is the answer itself, so building it is unavoidable here.
      return args.upstream.keys(resolveContext(args));
    },
    downstreamKeys(args) {
      if (args.downstream === undefined) return [];
      if (args.upstream !== undefined && args.upstreamKeys.length === 0) return [];
      return args.downstream.keys(resolveContext(args));
    },
    incompatibility: () => undefined,
    describe: () => ({ type: 'all' }),
  };
  return Object.freeze(mapping);
}
