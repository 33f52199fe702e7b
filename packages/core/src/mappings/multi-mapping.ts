import { CairnError } from '../errors.js';
import {
  isMultiPartitions,
  type MultiPartitionsDefinition,
  type PartitionsDefinition,
} from '../partitions/partitions-definition.js';
import { describePartitions } from './describe-partitions.js';
import { dimensionOf, expandMulti } from './expand-multi.js';
import { inPartitionOrder } from './key-order.js';
import { type ResolvedContext, resolveContext } from './mapping-context.js';
import type { PartitionMapping } from './partition-mapping.js';

/** How one downstream dimension reads an upstream dimension. */
export interface DimensionMapping {
  /** The upstream dimension this downstream dimension reads. Default: the same name. */
  upstreamDimension?: string;
  /** The mapping between the two dimensions' partitions, e.g. identityMapping() or timeWindowMapping(). */
  mapping: PartitionMapping;
}

/** `{ [downstreamDimension]: { upstreamDimension?, mapping } }` for `multiMapping`. */
export type MultiMappingOptions = Readonly<Record<string, DimensionMapping>>;

interface Link {
  down: string;
  up: string;
  mapping: PartitionMapping;
}

function isMapping(x: unknown): x is PartitionMapping {
  const m = x as Partial<PartitionMapping> | null;
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof m.upstreamKeys === 'function' &&
    typeof m.downstreamKeys === 'function' &&
    typeof m.incompatibility === 'function' &&
    typeof m.describe === 'function'
  );
}

function compile(options: MultiMappingOptions): Link[] {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      `multiMapping() takes { [downstreamDimension]: { upstreamDimension?, mapping } }, got ${String(options)}`,
    );
  }
  const links: Link[] = [];
  const usedUp = new Map<string, string>();
  for (const [down, spec] of Object.entries(options)) {
    const up = spec?.upstreamDimension ?? down;
    if (typeof up !== 'string' || up === '' || !isMapping(spec?.mapping)) {
      throw new CairnError(
        'CAIRN_INVALID_OPTIONS',
        `multiMapping() entry for downstream dimension "${down}" must be { upstreamDimension?: string, mapping: PartitionMapping } (e.g. { mapping: identityMapping() })`,
        { dimension: down },
      );
    }
    const other = usedUp.get(up);
    if (other !== undefined) {
      throw new CairnError(
        'CAIRN_INVALID_OPTIONS',
        `multiMapping() maps downstream dimensions "${other}" and "${down}" to the same upstream dimension "${up}"; map each upstream dimension once`,
        { upstreamDimension: up, downstreamDimensions: [other, down] },
      );
    }
    usedUp.set(up, down);
    links.push({ down, up, mapping: spec.mapping });
  }
  return links;
}

function multiIncompatibility(
  links: Link[],
  downstream: PartitionsDefinition | undefined,
  upstream: PartitionsDefinition | undefined,
): string | undefined {
  if (!isMultiPartitions(downstream) || !isMultiPartitions(upstream)) {
    return `multi mapping needs both assets multi-partitioned, but downstream is ${describePartitions(downstream)} and upstream is ${describePartitions(upstream)}; use multiToSingleMapping() when one side has a single dimension`;
  }
  const names = (m: MultiPartitionsDefinition) => m.dimensions.map((d) => `"${d.name}"`).join(', ');
  for (const link of links) {
    const down = dimensionOf(downstream, link.down);
    if (down === undefined) {
      return `multi mapping maps downstream dimension "${link.down}", which the downstream definition does not have (it has ${names(downstream)}); use one of those names`;
    }
    const up = dimensionOf(upstream, link.up);
    if (up === undefined) {
      return `multi mapping reads upstream dimension "${link.up}" for downstream dimension "${link.down}", but the upstream definition has ${names(upstream)}; set upstreamDimension to one of those`;
    }
    const reason = link.mapping.incompatibility(down, up);
    if (reason !== undefined) {
      return `multi mapping cannot map upstream dimension "${link.up}" to downstream dimension "${link.down}": ${reason}`;
    }
  }
  return undefined;
}

/**
 * Maps between two multi-partitioned assets dimension by dimension, like Dagster's
 * MultiPartitionMapping: each listed downstream dimension reads an upstream dimension through its
 * own mapping. Dimensions not listed (on either side) are read whole: a downstream partition
 * reads every key of an unlisted upstream dimension.
 *
 * @example
 * // downstream { date: daily, region: static } reads upstream { day: daily, region: static }
 * multiMapping({
 *   date: { upstreamDimension: 'day', mapping: timeWindowMapping({ startOffset: -1 }) },
 *   region: { mapping: identityMapping() },
 * })
 */
export function multiMapping(options: MultiMappingOptions): PartitionMapping<'many'> {
  const links = compile(options);

  const both = (
    d: PartitionsDefinition | undefined,
    u: PartitionsDefinition | undefined,
  ): [MultiPartitionsDefinition, MultiPartitionsDefinition] => {
    if (!isMultiPartitions(d) || !isMultiPartitions(u)) {
      throw new CairnError('CAIRN_INCOMPATIBLE_MAPPING', multiIncompatibility(links, d, u)!, {
        mapping: mapping.describe(),
      });
    }
    const reason = links.some((l) => !dimensionOf(d, l.down) || !dimensionOf(u, l.up))
      ? multiIncompatibility(links, d, u)
      : undefined;
    if (reason !== undefined) {
      throw new CairnError('CAIRN_INCOMPATIBLE_MAPPING', reason, { mapping: mapping.describe() });
    }
    return [d, u];
  };

  /** Maps `from` keys to `to` keys through the links, one dimension at a time. */
  const map = (
    from: MultiPartitionsDefinition,
    to: MultiPartitionsDefinition,
    keys: readonly string[],
    fromIsDownstream: boolean,
    ctx: ResolvedContext,
  ): string[] => {
    // Unlinked target dimensions are read whole; list their keys once, not once per key.
    const whole = new Map<string, readonly string[]>();
    const linkedTo = new Set(links.map((l) => (fromIsDownstream ? l.up : l.down)));
    for (const d of to.dimensions)
      if (!linkedTo.has(d.name)) whole.set(d.name, d.partitions.keys(ctx));
    const memo = links.map(() => new Map<string, string[]>());
    const out: string[] = [];
    for (const key of keys) {
      if (from.indexOf(key, ctx) < 0) continue;
      const parts = from.split(key);
      const fixed = new Map(whole);
      links.forEach((link, i) => {
        const part = parts[fromIsDownstream ? link.down : link.up] ?? '';
        let mapped = memo[i]!.get(part);
        if (mapped === undefined) {
          const down = dimensionOf(fromIsDownstream ? from : to, link.down);
          const up = dimensionOf(fromIsDownstream ? to : from, link.up);
          mapped = fromIsDownstream
            ? link.mapping.upstreamKeys({
                ...ctx,
                downstreamKeys: [part],
                downstream: down,
                upstream: up,
              })
            : link.mapping.downstreamKeys({
                ...ctx,
                upstreamKeys: [part],
                downstream: down,
                upstream: up,
              });
          memo[i]!.set(part, mapped);
        }
        fixed.set(fromIsDownstream ? link.up : link.down, mapped);
      });
      for (const k of expandMulti(to, fixed, ctx)) out.push(k);
    }
    return inPartitionOrder(to, out, ctx);
  };

  const mapping: PartitionMapping<'many'> = {
    type: 'multi',
    cardinality: 'many',
    upstreamKeys(args) {
      const [d, u] = both(args.downstream, args.upstream);
      return map(d, u, args.downstreamKeys, true, resolveContext(args));
    },
    downstreamKeys(args) {
      const [d, u] = both(args.downstream, args.upstream);
      return map(u, d, args.upstreamKeys, false, resolveContext(args));
    },
    incompatibility: (downstream, upstream) => multiIncompatibility(links, downstream, upstream),
    describe: () => ({
      type: 'multi',
      dimensions: Object.fromEntries(
        links.map((l) => [l.down, { upstreamDimension: l.up, mapping: l.mapping.describe() }]),
      ),
    }),
  };
  return Object.freeze(mapping);
}
