import type {
  CurrentDataVersion,
  HistoryReader,
  MaterializationRecord,
  Metadata,
} from '@cairn/core';
import { inputRef } from '@cairn/core';
import type { UpstreamVersions } from './worker-pool-types.js';

/** A `HistoryReader` that also knows current data versions (core's `RunHistory` asks for them). */
export interface UpstreamHistory extends HistoryReader {
  currentDataVersion(
    assetKey: string,
    partitionKey: string | undefined,
  ): CurrentDataVersion | undefined;
}

/**
 * The history a worker gives `executePlan`: the upstream versions the coordinator read from
 * storage at dispatch. The engine records them in each materialization's `inputDataVersions`,
 * and checks see the upstream's latest materialization through `ctx.history`.
 */
export function upstreamHistory(versions: UpstreamVersions): UpstreamHistory {
  const materializations = new Map<string, MaterializationRecord>();
  return {
    latestMaterialization(assetKey, partitionKey) {
      const ref = inputRef(assetKey, partitionKey);
      const known = materializations.get(ref);
      if (known !== undefined) return known;
      const m = versions[ref]?.materialization;
      if (m === undefined) return undefined;
      const record: MaterializationRecord = {
        assetKey,
        partitionKey,
        timestamp: new Date(m.timestamp),
        metadata: m.metadata as Metadata,
        dataVersion: m.dataVersion,
        codeVersion: m.codeVersion,
        runId: m.runId,
      };
      materializations.set(ref, record);
      return record;
    },
    currentDataVersion(assetKey, partitionKey) {
      const v = versions[inputRef(assetKey, partitionKey)];
      return (
        v && { dataVersion: v.dataVersion, timestamp: new Date(v.timestamp), source: v.source }
      );
    },
  };
}
