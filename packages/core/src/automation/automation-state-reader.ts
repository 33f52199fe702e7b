import type { CheckSeverity } from '../checks/asset-check.js';
import type { StalenessReader } from '../versioning/staleness-reader.js';

/** One asset partition that got a materialization or observation. */
export interface PartitionUpdate {
  assetKey: string;
  /** Undefined for an unpartitioned asset. */
  partitionKey: string | undefined;
  /**
   * False when the event repeated the data version the partition already had (a no-op recompute
   * with a code version): it resets the partition's own `newlyUpdated` but does not count as a
   * dependency update, so it never cascades downstream.
   */
  dataVersionChanged: boolean;
}

/** The latest result of one check on one asset partition. */
export interface CheckResultRecord {
  passed: boolean;
  /** The severity the result was recorded with. */
  severity: CheckSeverity;
}

/**
 * What automation reads about the world: the staleness reads (materializations, data versions),
 * plus updates since a cursor, runs in progress, failures and check results. The daemon's storage
 * implements it over its indexes; `memoryAutomationState()` implements it in memory for tests.
 * Every method answers about one asset partition or about changes, so a tick's cost follows the
 * number of changes, not the number of partitions.
 */
export interface AutomationStateReader extends StalenessReader {
  /**
   * The asset partitions updated after `cursor`, and the cursor to pass next time. With `undefined`
   * (the first tick) it returns no updates and the current cursor: history before automation
   * started is not news.
   */
  updatesSince(cursor: string | undefined): {
    updates: Iterable<PartitionUpdate>;
    cursor: string;
  };
  /** True when the asset partition is targeted by a run that is queued or running. */
  isInProgress(assetKey: string, partitionKey: string | undefined): boolean;
  /** True when the latest run that targeted the asset partition failed and it was not materialized since. */
  isFailed(assetKey: string, partitionKey: string | undefined): boolean;
  /**
   * The result of the named check on the asset partition's latest materialization, or undefined
   * when the check has not run since that materialization.
   */
  latestCheckResult(
    assetKey: string,
    checkName: string,
    partitionKey: string | undefined,
  ): CheckResultRecord | undefined;
  /**
   * True when the asset partition has a materialization or an observation. Optional: the same as
   * `currentDataVersion() !== undefined || latestMaterialization() !== undefined`, answered
   * without building either record (a reader that builds records on read saves an allocation
   * per partition that conditions such as `missing()` look at).
   */
  isMaterializedOrObserved?(assetKey: string, partitionKey: string | undefined): boolean;
  /** Keys of dynamic partitions definitions. Optional: without it dynamic definitions have no keys. */
  getDynamicPartitionKeys?(name: string): readonly string[];
}
