import type {
  PartitionsContext,
  PartitionsDefinition,
} from '../partitions/partitions-definition.js';

/**
 * A partition mapping says which upstream partitions a downstream partition reads. `undefined`
 * partitions mean "unpartitioned": such an asset has a single implicit partition, and the key list
 * for it is `[]` on the unpartitioned side.
 */

/** Arguments of `PartitionMapping.upstreamKeys`. */
export interface UpstreamKeysArgs extends PartitionsContext {
  downstreamKeys: readonly string[];
  downstream: PartitionsDefinition | undefined;
  upstream: PartitionsDefinition | undefined;
}

/** Arguments of `PartitionMapping.downstreamKeys`. */
export interface DownstreamKeysArgs extends PartitionsContext {
  upstreamKeys: readonly string[];
  downstream: PartitionsDefinition | undefined;
  upstream: PartitionsDefinition | undefined;
}

/**
 * Whether a downstream partition reads one upstream partition (`one`: the input is the value) or
 * possibly several (`many`: the input is a `Map` from upstream partition key to value).
 */
export type MappingCardinality = 'one' | 'many';

/** Maps partitions between an upstream and a downstream asset. */
export interface PartitionMapping<C extends MappingCardinality = MappingCardinality> {
  /** A short name for messages and snapshots, e.g. `identity`, `timeWindow`. */
  readonly type: string;
  /** Whether inputs through this mapping are single values or maps. */
  readonly cardinality: C;
  /** The upstream keys the given downstream keys read, de-duplicated, in upstream order. */
  upstreamKeys(args: UpstreamKeysArgs): string[];
  /** The downstream keys that read the given upstream keys, de-duplicated, in downstream order. */
  downstreamKeys(args: DownstreamKeysArgs): string[];
  /**
   * Why this mapping cannot connect these two definitions, or undefined when it can.
   * `definitions()` turns a reason into CAIRN_INCOMPATIBLE_MAPPING.
   */
  incompatibility(
    downstream: PartitionsDefinition | undefined,
    upstream: PartitionsDefinition | undefined,
  ): string | undefined;
  /** A JSON description for snapshots. */
  describe(): Record<string, unknown> & { type: string };
}
