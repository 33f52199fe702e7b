import type { PartitionsDefinition } from '../partitions/partitions-definition.js';

/**
 * The mappings worth declaring between two definitions, as a phrase for error messages, e.g.
 * `timeWindowMapping()` for two time-window definitions.
 */
export function suggestMapping(
  downstream: PartitionsDefinition | undefined,
  upstream: PartitionsDefinition | undefined,
): string {
  if (downstream === undefined) return 'allMapping() or lastMapping()';
  if (upstream === undefined) return 'unpartitionedUpstreamMapping()';
  if (downstream.type === 'time' && upstream.type === 'time') {
    return 'timeWindowMapping() (with startOffset/endOffset if needed)';
  }
  if ((downstream.type === 'multi') !== (upstream.type === 'multi')) {
    return 'multiToSingleMapping({ dimension }) naming the matching dimension, allMapping() or customMapping({ ... })';
  }
  if (downstream.type === 'multi') {
    return 'multiMapping({ [downstreamDimension]: { upstreamDimension, mapping } })';
  }
  return 'staticMapping({ upstreamKey: downstreamKeys }), allMapping(), lastMapping() or customMapping({ ... })';
}
