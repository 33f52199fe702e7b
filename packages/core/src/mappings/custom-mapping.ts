import { CairnError } from '../errors.js';
import type { PartitionsDefinition } from '../partitions/partitions-definition.js';
import { describePartitions } from './describe-partitions.js';
import { assertCompatible } from './incompatible-error.js';
import { inPartitionOrder } from './key-order.js';
import { type ResolvedContext, resolveContext } from './mapping-context.js';
import type { MappingCardinality, PartitionMapping } from './partition-mapping.js';

/** What a custom mapping function receives besides the key. */
export interface CustomMappingContext extends ResolvedContext {
  /** The downstream asset's partitions. */
  downstream: PartitionsDefinition;
  /** The upstream asset's partitions. */
  upstream: PartitionsDefinition;
}

/** Options of `customMapping`. */
export interface CustomMappingOptions<C extends MappingCardinality> {
  /** `one`: each downstream partition reads at most one upstream key (input is the value); `many`: a Map. */
  cardinality: C;
  /** A name for messages and snapshots. Default `custom`. */
  name?: string;
  /** The upstream keys one downstream key reads. Must be pure: it is called during planning. */
  upstreamKeys(downstreamKey: string, ctx: CustomMappingContext): string | readonly string[];
  /** The inverse: the downstream keys that read one upstream key. */
  downstreamKeys(upstreamKey: string, ctx: CustomMappingContext): string | readonly string[];
  /** Why these definitions cannot be connected, or undefined. Default: both must be partitioned. */
  incompatibility?(
    downstream: PartitionsDefinition,
    upstream: PartitionsDefinition,
  ): string | undefined;
}

function invalid(message: string, details: Record<string, unknown> = {}): CairnError {
  return new CairnError('CAIRN_INVALID_OPTIONS', message, details);
}

/**
 * A mapping defined by a pure function and its inverse, for relations the built-in mappings do
 * not express (fiscal calendars, key renames, ...). Results are de-duplicated, filtered to keys
 * that exist on the target side, and put in partition order. The cardinality literal is kept in
 * the type, so `cardinality: 'one'` gives an input typed as the plain upstream value.
 *
 * @example
 * customMapping({
 *   cardinality: 'one',
 *   upstreamKeys: (day) => day.slice(0, 7),              // '2024-03-15' reads month '2024-03'
 *   downstreamKeys: (month, { downstream }) => downstream.keys().filter((d) => d.startsWith(month)),
 * })
 */
export function customMapping<C extends MappingCardinality>(
  options: CustomMappingOptions<C>,
): PartitionMapping<C> {
  if (typeof options !== 'object' || options === null) {
    throw invalid(
      `customMapping() takes { cardinality, upstreamKeys, downstreamKeys }, got ${String(options)}`,
    );
  }
  const { cardinality, upstreamKeys, downstreamKeys, incompatibility } = options;
  const name = options.name ?? 'custom';
  if (cardinality !== 'one' && cardinality !== 'many') {
    throw invalid(
      `customMapping() "${name}" cardinality must be 'one' or 'many', got ${JSON.stringify(cardinality)}`,
      { cardinality },
    );
  }
  for (const [field, fn] of [
    ['upstreamKeys', upstreamKeys],
    ['downstreamKeys', downstreamKeys],
  ] as const) {
    if (typeof fn !== 'function') {
      throw invalid(
        `customMapping() "${name}" needs a ${field}(key, ctx) function, got ${typeof fn}`,
        { field },
      );
    }
  }
  if (incompatibility !== undefined && typeof incompatibility !== 'function') {
    throw invalid(
      `customMapping() "${name}" incompatibility must be a function when given, got ${typeof incompatibility}`,
    );
  }

  /** Calls the user function for each key, wrapping its failures so they name the key. */
  const apply = (
    direction: 'upstreamKeys' | 'downstreamKeys',
    keys: readonly string[],
    ctx: CustomMappingContext,
  ): string[] => {
    const fn = direction === 'upstreamKeys' ? upstreamKeys : downstreamKeys;
    const from = direction === 'upstreamKeys' ? ctx.downstream : ctx.upstream;
    const out: string[] = [];
    for (const key of keys) {
      if (from.indexOf(key, ctx) < 0) continue;
      let result: unknown;
      try {
        result = fn(key, ctx);
      } catch (err) {
        throw new CairnError(
          'CAIRN_MAPPING_FAILED',
          `custom mapping "${name}" threw in ${direction}("${key}"): ${err instanceof Error ? err.message : String(err)}; fix the mapping function`,
          { mapping: name, direction, key },
          { cause: err },
        );
      }
      const list = typeof result === 'string' ? [result] : result;
      if (!Array.isArray(list) || list.some((k) => typeof k !== 'string')) {
        throw new CairnError(
          'CAIRN_MAPPING_FAILED',
          `custom mapping "${name}" ${direction}("${key}") returned ${JSON.stringify(result)}; return a key string or an array of key strings`,
          { mapping: name, direction, key },
        );
      }
      if (direction === 'upstreamKeys' && cardinality === 'one' && new Set(list).size > 1) {
        throw new CairnError(
          'CAIRN_MAPPING_FAILED',
          `custom mapping "${name}" has cardinality 'one' but upstreamKeys("${key}") returned ${list.length} keys (${list.join(', ')}); return one key or declare cardinality: 'many'`,
          { mapping: name, key, upstreamKeys: list },
        );
      }
      for (const k of list as string[]) out.push(k);
    }
    return out;
  };

  const mapping: PartitionMapping<C> = {
    type: 'custom',
    cardinality,
    upstreamKeys(args) {
      const { downstream, upstream } = args;
      if (downstream === undefined || upstream === undefined) {
        assertCompatible(mapping, downstream, upstream);
        return [];
      }
      const ctx: CustomMappingContext = { ...resolveContext(args), downstream, upstream };
      return inPartitionOrder(upstream, apply('upstreamKeys', args.downstreamKeys, ctx), ctx);
    },
    downstreamKeys(args) {
      const { downstream, upstream } = args;
      if (downstream === undefined || upstream === undefined) {
        assertCompatible(mapping, downstream, upstream);
        return [];
      }
      const ctx: CustomMappingContext = { ...resolveContext(args), downstream, upstream };
      return inPartitionOrder(downstream, apply('downstreamKeys', args.upstreamKeys, ctx), ctx);
    },
    incompatibility(downstream, upstream) {
      if (downstream === undefined || upstream === undefined) {
        return `custom mapping "${name}" needs both assets partitioned, but downstream is ${describePartitions(downstream)} and upstream is ${describePartitions(upstream)}; use allMapping() or leave the mapping out`;
      }
      return incompatibility?.(downstream, upstream);
    },
    describe: () => ({ type: 'custom', name, cardinality }),
  };
  return Object.freeze(mapping);
}
