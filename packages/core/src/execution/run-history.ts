import type { HistoryReader } from '../checks/asset-check.js';
import { inputRef } from '../versioning/data-version.js';
import type {
  CurrentDataVersion,
  VersionedMaterialization,
} from '../versioning/staleness-reader.js';

/** A history reader that may also know data versions set by observations (the staleness reader does). */
interface HistoryWithVersions extends HistoryReader {
  currentDataVersion?(
    assetKey: string,
    partitionKey: string | undefined,
  ): CurrentDataVersion | undefined;
}

/**
 * The materializations of one run layered over an earlier history: reads see this run's latest
 * materialization of an asset partition first, then fall back to `outer`. `materialize()` returns
 * it so a later call can pass it as `history` and see both runs.
 */
export class RunHistory implements HistoryReader {
  private readonly records = new Map<string, VersionedMaterialization>();

  /** @param outer the history before this run (storage, or an earlier `materialize()`) */
  constructor(private readonly outer?: HistoryReader) {}

  /** Records a materialization of this run. */
  record(m: VersionedMaterialization): void {
    this.records.set(inputRef(m.assetKey, m.partitionKey), m);
  }

  /** The latest materialization of an asset partition, this run's first. */
  latestMaterialization(
    assetKey: string,
    partitionKey: string | undefined,
  ): VersionedMaterialization | undefined {
    return (
      this.records.get(inputRef(assetKey, partitionKey)) ??
      (this.outer?.latestMaterialization(assetKey, partitionKey) as
        | VersionedMaterialization
        | undefined)
    );
  }

  /** The current data version (this run's materialization, else the outer history's). */
  currentDataVersion(
    assetKey: string,
    partitionKey: string | undefined,
  ): CurrentDataVersion | undefined {
    const own = this.records.get(inputRef(assetKey, partitionKey));
    if (own !== undefined) {
      return { dataVersion: own.dataVersion, timestamp: own.timestamp, source: 'materialization' };
    }
    const outer = this.outer as HistoryWithVersions | undefined;
    if (outer === undefined) return undefined;
    if (typeof outer.currentDataVersion === 'function')
      return outer.currentDataVersion(assetKey, partitionKey);
    const m = outer.latestMaterialization(assetKey, partitionKey);
    return m && { dataVersion: m.dataVersion, timestamp: m.timestamp, source: 'materialization' };
  }

  /** The data version of an asset partition, or undefined when none is known. */
  dataVersionOf(assetKey: string, partitionKey: string | undefined): string | undefined {
    const own = this.records.get(inputRef(assetKey, partitionKey));
    if (own !== undefined) return own.dataVersion;
    return this.outer === undefined
      ? undefined
      : this.currentDataVersion(assetKey, partitionKey)?.dataVersion;
  }

  /** The materializations recorded by this run (not the outer history's), oldest first. */
  ownMaterializations(): VersionedMaterialization[] {
    return [...this.records.values()];
  }
}
