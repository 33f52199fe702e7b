import type { AnyAssetDefinition, ResolvedDep } from '../asset-types.js';
import { CairnError, isCairnError } from '../errors.js';
import { describePartitions } from '../mappings/describe-partitions.js';
import { inferMapping } from '../mappings/index.js';
import type { PartitionMapping } from '../mappings/partition-mapping.js';

/** The factory call that declares `mapping` explicitly, for "write it as ..." advice. */
function mappingCall(mapping: PartitionMapping): string {
  const described = mapping.describe();
  if (mapping.type === 'multiToSingle' && typeof described.dimension === 'string')
    return `multiToSingleMapping({ dimension: ${JSON.stringify(described.dimension)} })`;
  return `${mapping.type}Mapping()`;
}

/**
 * The partition mapping of one dependency: the explicit one when it fits both partitions
 * definitions, else the inferred default. Throws CAIRN_INCOMPATIBLE_MAPPING naming both assets,
 * and CAIRN_AMBIGUOUS_INPUT when a data-passing dep written as a bare handle or key would receive
 * several upstream partitions (its input would be a Map while its type says a single value).
 */
export function resolveEdgeMapping(
  downstream: AnyAssetDefinition,
  upstream: AnyAssetDefinition,
  dep: ResolvedDep,
): PartitionMapping {
  const down = downstream.key;
  const up = upstream.key;
  // Built only on failure: describing partitions takes a snapshot, which lists static keys.
  const describe = () => ({
    downstream: down,
    upstream: up,
    input: dep.inputName,
    downstreamPartitions: describePartitions(downstream.partitions),
    upstreamPartitions: describePartitions(upstream.partitions),
  });
  if (dep.mapping !== undefined) {
    const reason = dep.mapping.incompatibility(downstream.partitions, upstream.partitions);
    if (reason !== undefined) {
      const facts = describe();
      throw new CairnError(
        'CAIRN_INCOMPATIBLE_MAPPING',
        `Asset "${down}" depends on "${up}" through the ${dep.mapping.type} mapping, which does not fit their partitions: ${reason}`,
        { ...facts, mapping: dep.mapping.type, reason },
      );
    }
    return dep.mapping;
  }
  let mapping: PartitionMapping;
  try {
    mapping = inferMapping(downstream.partitions, upstream.partitions, {
      downstreamKey: down,
      upstreamKey: up,
    });
  } catch (err) {
    if (!isCairnError(err, 'CAIRN_INCOMPATIBLE_MAPPING')) throw err;
    // inferMapping's message already names both assets and the mapping to declare.
    throw new CairnError('CAIRN_INCOMPATIBLE_MAPPING', err.message, describe(), { cause: err });
  }
  if (dep.inputName !== undefined && mapping.cardinality === 'many') {
    const call = mappingCall(mapping);
    const facts = describe();
    throw new CairnError(
      'CAIRN_AMBIGUOUS_INPUT',
      `Asset "${down}" reads "${up}" as input "${dep.inputName}", but each partition of "${down}" (${facts.downstreamPartitions}) reads several partitions of "${up}" (${facts.upstreamPartitions}) through the inferred ${mapping.type} mapping, so the input is a Map from partition key to value, not a single value. Write the dependency as { asset: ${JSON.stringify(up)}, mapping: ${call} }${call === 'allMapping()' ? '' : ' (or allMapping(), or the mapping that fits)'} so "${dep.inputName}" is typed as a Map.`,
      { ...facts, mapping: mapping.type },
    );
  }
  return mapping;
}
