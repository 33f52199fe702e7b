import { CairnError } from '../errors.js';
import type { PartitionsDefinition } from '../partitions/partitions-definition.js';
import type { PartitionMapping } from './partition-mapping.js';

/**
 * Throws CAIRN_INCOMPATIBLE_MAPPING when `mapping` cannot connect the two definitions. Mappings
 * call it when they are used on definitions they were never validated against (definitions()
 * checks every edge up front, so inside a validated graph this never fires).
 */
export function assertCompatible(
  mapping: PartitionMapping,
  downstream: PartitionsDefinition | undefined,
  upstream: PartitionsDefinition | undefined,
): void {
  const reason = mapping.incompatibility(downstream, upstream);
  if (reason !== undefined) {
    throw new CairnError('CAIRN_INCOMPATIBLE_MAPPING', reason, {
      mapping: mapping.describe(),
      downstream: downstream?.snapshot(),
      upstream: upstream?.snapshot(),
    });
  }
}
