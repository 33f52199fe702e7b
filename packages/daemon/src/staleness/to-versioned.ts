import { inputRef, type VersionedMaterialization } from '@cairn/core';
import type { StoredMaterializationEvent } from '../storage/index.js';

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});
const NO_KEYS: readonly string[] = Object.freeze([]);

/** A stored materialization event as the versioned record staleness compares. */
export function toVersioned(e: StoredMaterializationEvent): VersionedMaterialization {
  return {
    assetKey: e.assetKey,
    partitionKey: e.partitionKey,
    timestamp: new Date(e.timestamp),
    metadata: (e.metadata ?? {}) as VersionedMaterialization['metadata'],
    dataVersion: e.dataVersion ?? '',
    codeVersion: e.codeVersion,
    runId: e.runId ?? '',
    inputDataVersions: e.inputDataVersions ?? EMPTY,
    depKeys: e.depKeys ?? NO_KEYS,
  };
}

/** The asset partitions a queued run will touch, from the plan stored on its `run_queued` event. */
export function plannedRefs(event: { plan?: object }): string[] {
  const steps = (event.plan as { steps?: { assetKeys?: string[]; partitionKey?: string }[] })
    ?.steps;
  const refs: string[] = [];
  for (const step of steps ?? []) {
    for (const key of step.assetKeys ?? []) refs.push(inputRef(key, step.partitionKey));
  }
  return refs;
}
