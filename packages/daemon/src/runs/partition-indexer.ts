import type { Definitions, DynamicPartitionsReader, PartitionsSnapshot } from '@cairn/core';
import type { StoredEvent } from '../storage/index.js';

/**
 * Adds `partitionIndex` (the key's position in its asset's partitions definition) to the events
 * the storage files by partition, so partition status can be kept as ranges. Events about assets
 * or keys the definitions do not know are stored without an index (their status stays per row).
 */
export class PartitionIndexer {
  readonly #defs: Definitions;
  readonly #dynamic: DynamicPartitionsReader;

  constructor(defs: Definitions, dynamic: DynamicPartitionsReader) {
    this.#defs = defs;
    this.#dynamic = dynamic;
  }

  /** The index of `partitionKey` in `assetKey`'s partitions, or undefined when it has none. */
  indexOf(assetKey: string, partitionKey: string): number | undefined {
    const asset = this.#defs.assets.get(assetKey);
    const partitions = asset?.partitions;
    if (partitions === undefined) return undefined;
    const index = partitions.indexOf(partitionKey, { dynamic: this.#dynamic });
    return index >= 0 ? index : undefined;
  }

  /** The event with its `partitionIndex` set where the storage uses it (a copy; the input is kept). */
  enrich<E extends StoredEvent>(event: E): E {
    if (!('partitionKey' in event) || event.partitionKey === undefined) return event;
    if ('partitionIndex' in event && event.partitionIndex !== undefined) return event;
    let assetKey: string | undefined;
    switch (event.type) {
      case 'step_started':
      case 'step_failed':
      case 'step_skipped':
        // The assets of one step (a multi-asset) share one partitions definition.
        assetKey = event.assetKeys[0];
        break;
      case 'materialization':
      case 'asset_observation':
        assetKey = event.assetKey;
        break;
      default:
        return event;
    }
    if (assetKey === undefined) return event;
    const index = this.indexOf(assetKey, event.partitionKey);
    return index === undefined ? event : { ...event, partitionIndex: index };
  }

  /** Asset keys whose partitions depend on the dynamic partitions definition `name`. */
  assetsUsingDynamic(name: string): string[] {
    const keys: string[] = [];
    for (const [key, asset] of this.#defs.assets) {
      const snapshot = asset.partitions?.snapshot();
      if (snapshot !== undefined && usesDynamic(snapshot, name)) keys.push(key);
    }
    return keys;
  }
}

function usesDynamic(snapshot: PartitionsSnapshot, name: string): boolean {
  if (snapshot.type === 'dynamic') return snapshot.name === name;
  if (snapshot.type === 'multi')
    return snapshot.dimensions.some((d) => usesDynamic(d.partitions, name));
  return false;
}
