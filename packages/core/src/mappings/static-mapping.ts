import { CairnError } from '../errors.js';
import type { PartitionsDefinition } from '../partitions/partitions-definition.js';
import { describePartitions } from './describe-partitions.js';
import { assertCompatible } from './incompatible-error.js';
import { inPartitionOrder } from './key-order.js';
import { resolveContext } from './mapping-context.js';
import type { PartitionMapping } from './partition-mapping.js';

/** `{ upstreamKey: downstreamKey | downstreamKey[] }`: which downstream partitions read each upstream partition. */
export type StaticMappingOptions = Readonly<Record<string, string | readonly string[]>>;

function compile(options: StaticMappingOptions): {
  forward: Map<string, string[]>;
  inverse: Map<string, string[]>;
} {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      `staticMapping() takes an object { upstreamKey: downstreamKey | downstreamKey[] }, got ${Array.isArray(options) ? 'an array' : String(options)}`,
      { options },
    );
  }
  const forward = new Map<string, string[]>();
  const inverse = new Map<string, string[]>();
  for (const [upstreamKey, target] of Object.entries(options)) {
    const targets = typeof target === 'string' ? [target] : target;
    if (!Array.isArray(targets) || targets.some((t) => typeof t !== 'string')) {
      throw new CairnError(
        'CAIRN_INVALID_OPTIONS',
        `staticMapping() maps upstream key "${upstreamKey}" to ${JSON.stringify(target)}; map each upstream key to a downstream key string or an array of them`,
        { upstreamKey, target },
      );
    }
    const unique = [...new Set(targets as string[])];
    forward.set(upstreamKey, unique);
    for (const downstreamKey of unique) {
      const sources = inverse.get(downstreamKey);
      if (sources === undefined) inverse.set(downstreamKey, [upstreamKey]);
      else sources.push(upstreamKey);
    }
  }
  return { forward, inverse };
}

function missingStaticKeys(def: PartitionsDefinition, keys: Iterable<string>): string[] {
  if (def.type !== 'static') return [];
  return [...keys].filter((key) => !def.has(key));
}

/**
 * An explicit table from upstream keys to the downstream keys that read them, like Dagster's
 * StaticPartitionMapping. An upstream key may feed several downstream keys and a downstream key may
 * read several upstream keys, so inputs are maps. Keys of static definitions are checked when
 * definitions are validated; keys not in the table map to nothing.
 *
 * @example
 * staticMapping({ us_east: 'us', us_west: 'us', eu_central: ['eu', 'global'] })
 */
export function staticMapping(options: StaticMappingOptions): PartitionMapping<'many'> {
  const { forward, inverse } = compile(options);
  const table = Object.fromEntries([...forward].map(([k, v]) => [k, v.length === 1 ? v[0]! : v]));
  const mapping: PartitionMapping<'many'> = {
    type: 'static',
    cardinality: 'many',
    upstreamKeys(args) {
      if (args.downstream === undefined || args.upstream === undefined) {
        assertCompatible(mapping, args.downstream, args.upstream);
        return [];
      }
      const found: string[] = [];
      for (const key of args.downstreamKeys) {
        for (const source of inverse.get(key) ?? []) found.push(source);
      }
      return inPartitionOrder(args.upstream, found, resolveContext(args));
    },
    downstreamKeys(args) {
      if (args.downstream === undefined || args.upstream === undefined) {
        assertCompatible(mapping, args.downstream, args.upstream);
        return [];
      }
      const found: string[] = [];
      for (const key of args.upstreamKeys) {
        for (const target of forward.get(key) ?? []) found.push(target);
      }
      return inPartitionOrder(args.downstream, found, resolveContext(args));
    },
    incompatibility(downstream, upstream) {
      if (downstream === undefined || upstream === undefined) {
        return `static mapping needs both assets partitioned, but downstream is ${describePartitions(downstream)} and upstream is ${describePartitions(upstream)}; use allMapping() or leave the mapping out`;
      }
      const badSources = missingStaticKeys(upstream, forward.keys());
      if (badSources.length > 0) {
        return `static mapping names upstream keys ${badSources.map((k) => `"${k}"`).join(', ')} that are not partitions of the upstream ${describePartitions(upstream)}; fix the keys or add them to the upstream partitions`;
      }
      const badTargets = missingStaticKeys(downstream, inverse.keys());
      if (badTargets.length > 0) {
        return `static mapping names downstream keys ${badTargets.map((k) => `"${k}"`).join(', ')} that are not partitions of the downstream ${describePartitions(downstream)}; fix the keys or add them to the downstream partitions`;
      }
      return undefined;
    },
    describe: () => ({ type: 'static', mapping: table }),
  };
  return Object.freeze(mapping);
}
