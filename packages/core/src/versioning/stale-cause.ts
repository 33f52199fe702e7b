/**
 * The vocabulary of staleness results, shared by the evaluator, its explanation, the daemon's API
 * and the UI. Plain JSON-friendly data so a result can be sent as it is.
 */

/** One asset partition; `partitionKey` is undefined for an unpartitioned asset. */
export interface PartitionRef {
  assetKey: string;
  partitionKey: string | undefined;
}

/** Whether an asset partition was never materialized, is out of date, or is up to date. */
export type StaleStatus = 'MISSING' | 'STALE' | 'FRESH';

/** The definition's code version differs from the one recorded by the latest materialization. */
export interface CodeStaleCause {
  type: 'code';
  /** The code version recorded by the latest materialization. */
  from: string | undefined;
  /** The code version of the definition now. */
  to: string | undefined;
}

/**
 * An upstream partition read has a different data version than the one the latest materialization
 * read. `recorded` is undefined when the partition is read now but was not read then (new data,
 * e.g. an hour that landed after the day was computed); `current` is undefined when the upstream
 * partition no longer has a data version (its history was wiped).
 */
export interface DataStaleCause {
  type: 'data';
  upstream: PartitionRef;
  recorded: string | undefined;
  current: string | undefined;
}

/**
 * The dependencies changed since the latest materialization: asset keys added to or removed from
 * the definition's deps, and upstream partitions that were read but that the mapping no longer
 * reads (a deleted dynamic partition, a changed mapping).
 */
export interface DependenciesStaleCause {
  type: 'dependencies';
  /** Dependency asset keys the definition has now and the materialization did not record. */
  added: string[];
  /** Dependency asset keys the materialization recorded and the definition no longer has. */
  removed: string[];
  /** Upstream partitions of still-present deps that were read then and are not read now. */
  removedPartitions: PartitionRef[];
}

/** An upstream partition this one read is itself stale, so recomputing it would change this one. */
export interface UpstreamStaleCause {
  type: 'upstream';
  upstream: PartitionRef;
  status: 'STALE';
}

/** Why an asset partition is stale. */
export type StaleCause =
  | CodeStaleCause
  | DataStaleCause
  | DependenciesStaleCause
  | UpstreamStaleCause;

/** The staleness of one asset partition: FRESH and MISSING have no causes, STALE has at least one. */
export interface PartitionStaleness {
  status: StaleStatus;
  causes: readonly StaleCause[];
}

/** `shop/orders 2024-03-02` for a partition, `shop/orders` for an unpartitioned asset. */
export function describePartition(ref: PartitionRef): string {
  return ref.partitionKey === undefined ? ref.assetKey : `${ref.assetKey} ${ref.partitionKey}`;
}
