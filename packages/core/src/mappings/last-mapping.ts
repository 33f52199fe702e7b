import { describePartitions } from './describe-partitions.js';
import { assertCompatible } from './incompatible-error.js';
import { resolveContext } from './mapping-context.js';
import type { PartitionMapping } from './partition-mapping.js';

/**
 * Every downstream partition reads only the last upstream partition (the latest existing one for
 * time windows, given `now`). Handy for "use the latest snapshot" dependencies. The upstream
 * asset must be partitioned.
 *
 * @example
 * asset({ key: 'dashboard', deps: { prices: { asset: dailyPrices, mapping: lastMapping() } } }, ...)
 */
export function lastMapping(): PartitionMapping<'one'> {
  const mapping: PartitionMapping<'one'> = {
    type: 'last',
    cardinality: 'one',
    upstreamKeys(args) {
      const upstream = args.upstream;
      if (upstream === undefined) {
        assertCompatible(mapping, args.downstream, upstream);
        return [];
      }
      if (args.downstream !== undefined && args.downstreamKeys.length === 0) return [];
      const ctx = resolveContext(args);
      // count + keyAt are arithmetic, so this stays O(1) on a definition with millions of keys.
      const count = upstream.count(ctx);
      return count === 0 ? [] : [upstream.keyAt(count - 1, ctx)];
    },
    downstreamKeys(args) {
      const upstream = args.upstream;
      if (upstream === undefined) {
        assertCompatible(mapping, args.downstream, upstream);
        return [];
      }
      if (args.downstream === undefined || args.upstreamKeys.length === 0) return [];
      const ctx = resolveContext(args);
      const count = upstream.count(ctx);
      if (count === 0) return [];
      const last = upstream.keyAt(count - 1, ctx);
      return args.upstreamKeys.includes(last) ? args.downstream.keys(ctx) : [];
    },
    incompatibility(downstream, upstream) {
      if (upstream !== undefined) return undefined;
      return `last mapping needs a partitioned upstream asset, but upstream is unpartitioned (downstream is ${describePartitions(downstream)}); leave the mapping out to read the single upstream value`;
    },
    describe: () => ({ type: 'last' }),
  };
  return Object.freeze(mapping);
}
