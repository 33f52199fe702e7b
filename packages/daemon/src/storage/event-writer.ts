import type { StoredEvent } from './stored-event.js';

/**
 * The one path by which events reach the database. A dialect implements it (SQLite: prepared
 * better-sqlite3 statements; Postgres: later); the group commit in front of it is shared.
 */

/** Counters of what a writer did since it was created (tests and metrics read them). */
export interface WriterStats {
  /** Transactions committed by `writeBatch`. */
  transactions: number;
  /** Events committed. */
  events: number;
  /** Batches rolled back. */
  failedBatches: number;
}

/** What a rebuild replayed. */
export interface RebuildResult {
  /** Events replayed from the log. */
  events: number;
  /** Wall time in ms. */
  durationMs: number;
}

/** Maps a partition key to its index in a partitions definition (-1 or a throw: not a partition). */
export type PartitionIndexOf = (partitionKey: string) => number;

/** A dialect's writer of the event log and its derived indexes. */
export interface EventWriter {
  /**
   * Inserts the events and applies their index updates in ONE transaction, returning their
   * sequence ids in order; on any error rolls everything back and throws.
   */
  writeBatch(events: readonly StoredEvent[]): readonly number[] | Promise<readonly number[]>;
  /** Truncates the derived tables and replays the whole log into them, in one transaction. */
  rebuildIndexes(): RebuildResult | Promise<RebuildResult>;
  /**
   * Recomputes the partition index of every stored partition of `assetKey` with `indexOf` and
   * rebuilds its status ranges and counts (after its partitions definition changed).
   */
  rebuildPartitionRanges(
    assetKey: string,
    indexOf: PartitionIndexOf,
  ): { partitions: number; ranges: number } | Promise<{ partitions: number; ranges: number }>;
  /** Counters since creation. */
  stats(): WriterStats;
}
