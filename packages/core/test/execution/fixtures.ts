import type { RunEvent } from '../../src/execution/events.js';
import { staticPartitions } from '../../src/partitions/index.js';
import type { PartitionsDefinition } from '../../src/partitions/partitions-definition.js';

/** Static partitions for engine tests (the real `staticPartitions`). */
export function testPartitions(keys: readonly string[]): PartitionsDefinition {
  return staticPartitions(keys);
}

/** The events of one type, typed. */
export function eventsOf<T extends RunEvent['type']>(
  events: readonly RunEvent[],
  type: T,
): Extract<RunEvent, { type: T }>[] {
  return events.filter((e): e is Extract<RunEvent, { type: T }> => e.type === type);
}

/** A promise with its resolve function exposed. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
