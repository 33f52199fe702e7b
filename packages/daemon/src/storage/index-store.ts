import type { BackfillLedgerStore } from './backfill-ledger.js';
import type { PartitionRange } from './partition-ranges.js';
import type { PartitionRowStatus, PartitionStatus, RunStatus, StepStatus } from './schema.js';

/**
 * The primitive reads and writes of the derived indexes, which `applyEventToIndexes` composes into
 * the effect of each event. Synchronous on purpose: they run inside the append transaction, and
 * on SQLite each one is a prepared better-sqlite3 statement (microseconds). A dialect provides an
 * implementation; the semantics of events live in one place, index-updater.ts.
 */

/** What the updater needs to know about one asset partition row. */
export interface PartitionRowState {
  partitionIndex: number | null;
  status: PartitionRowStatus;
  prevStatus: PartitionRowStatus | null;
  runId: string | null;
}

/** An in-progress partition of a run, to return to its previous status when the run ends. */
export interface InProgressPartition {
  assetKey: string;
  partitionKey: string;
  partitionIndex: number | null;
  prevStatus: PartitionRowStatus | null;
}

/** The row `check_results` keeps for the latest evaluation of a check on a partition. */
export interface CheckResultRow {
  checkId: string;
  partitionKey: string;
  assetKey: string;
  checkName: string;
  eventId: number;
  runId: string | null;
  passed: boolean;
  severity: string;
  blocking: boolean;
  timestamp: string;
}

/** The row a queued run starts as. */
export interface QueuedRunRow {
  runId: string;
  eventId: number;
  backfillId: string | null;
  idempotencyKey: string | null;
  priority: number;
  tags: string;
  selection: string;
  partitionKeys: string | null;
  partitionRange: string | null;
  queuedAt: string;
}

/** Synchronous primitive operations on the derived tables (see the file comment). */
export interface IndexStore {
  /** The backfill ledger's primitives (see backfill-ledger.ts). */
  readonly backfills: BackfillLedgerStore;
  /** Inserts a queued run; fails (constraint) if the run id exists. */
  insertQueuedRun(row: QueuedRunRow): void;
  /** Marks a run started, creating its row if it was not queued through the daemon. */
  startRun(runId: string, stepKeys: string, startedAt: string, eventId: number): void;
  /** Ends a run with `status`, creating its row if needed. */
  finishRun(
    runId: string,
    status: RunStatus,
    endedAt: string,
    counts: string | null,
    durationMs: number | null,
    eventId: number,
  ): void;
  /** Cancels a run unless it already ended. */
  cancelRun(runId: string, endedAt: string, eventId: number): void;

  /** Starts (or restarts) a step. */
  startStep(
    runId: string,
    stepKey: string,
    assetKeys: string,
    partitionKey: string | null,
    at: string,
  ): void;
  /** Records the attempt a step is about to make. */
  retryStep(runId: string, stepKey: string, attempt: number): void;
  /** Ends a step with a final status (creating the row for steps that never started). */
  endStep(
    runId: string,
    stepKey: string,
    status: StepStatus,
    assetKeys: string,
    partitionKey: string | null,
    at: string,
    error: string | null,
    attempts: number | null,
  ): void;
  /** Counts one materialization of a step. */
  countStepMaterialization(runId: string, stepKey: string, at: string): void;
  /** Closes the steps a run left open when it ended (see docs for the statuses chosen). */
  closeOpenSteps(runId: string, at: string, runStatus: RunStatus): void;

  /** Sets a partition materialized; returns its partition index (given, or stored before). */
  markMaterialized(
    assetKey: string,
    partitionKey: string,
    partitionIndex: number | null,
    eventId: number,
    dataVersion: string | null,
    codeVersion: string | null,
    runId: string | null,
    at: string,
  ): number | null;
  /** Sets a partition in progress, remembering its status to return to; returns its index. */
  markInProgress(
    assetKey: string,
    partitionKey: string,
    partitionIndex: number | null,
    runId: string,
    at: string,
  ): number | null;
  /** Sets a partition failed; returns its index. */
  markFailed(
    assetKey: string,
    partitionKey: string,
    partitionIndex: number | null,
    runId: string,
    at: string,
  ): number | null;
  /** Records an observation (data version) without changing the status. */
  markObserved(
    assetKey: string,
    partitionKey: string,
    partitionIndex: number | null,
    eventId: number,
    dataVersion: string | null,
    at: string,
  ): void;
  /** Reads one partition row. */
  getPartition(assetKey: string, partitionKey: string): PartitionRowState | undefined;
  /** Returns an in-progress partition to its previous status. */
  revertPartition(assetKey: string, partitionKey: string, at: string): void;
  /** The partitions a run has in progress. */
  inProgressOfRun(runId: string): InProgressPartition[];
  /** Deletes one partition row. */
  deletePartition(assetKey: string, partitionKey: string): void;
  /** Deletes every partition row, range and count of an asset. */
  deleteAsset(assetKey: string): void;

  /** The range of `assetKey` with the greatest start <= index. */
  floorRange(assetKey: string, index: number): PartitionRange | undefined;
  /** The range of `assetKey` starting at `index`. */
  rangeStartingAt(assetKey: string, index: number): PartitionRange | undefined;
  /** Inserts or replaces the range starting at `range.startIndex`. */
  upsertRange(assetKey: string, range: PartitionRange): void;
  /** Deletes the range starting at `startIndex`. */
  deleteRange(assetKey: string, startIndex: number): void;
  /** Adds `delta` to the number of partitions of `assetKey` in `status`. */
  addCount(assetKey: string, status: PartitionStatus, delta: number): void;

  /** Replaces the latest result of a check on a partition. */
  upsertCheckResult(row: CheckResultRow): void;

  /** Appends a key to a dynamic partitions definition unless present. */
  addDynamicKey(name: string, key: string): void;
  /** Removes a key from a dynamic partitions definition. */
  removeDynamicKey(name: string, key: string): void;
}
