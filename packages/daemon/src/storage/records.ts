import type { PartitionRange } from './partition-ranges.js';
import type { PartitionRowStatus, PartitionStatus, RunStatus, StepStatus } from './schema.js';
import type { EventRecord } from './stored-event.js';

/** The shapes the storage's read API returns (camelCase, JSON parsed, booleans as booleans). */

/** A page of events with the cursor to read the next one. */
export interface EventPage {
  records: EventRecord[];
  /** Pass as `afterId` (or `beforeId` for newest-first pages) for the next page; absent on the last. */
  nextCursor?: number;
}

/** The latest state of one asset partition. */
export interface AssetPartitionState {
  assetKey: string;
  /** `undefined` for an unpartitioned asset. */
  partitionKey?: string;
  partitionIndex: number | null;
  status: PartitionRowStatus;
  lastMaterializationEventId: number | null;
  lastObservationEventId: number | null;
  dataVersion: string | null;
  codeVersion: string | null;
  runId: string | null;
  updatedAt: string;
}

/** Number of partitions in each status. */
export interface PartitionStatusCounts {
  materialized: number;
  failed: number;
  in_progress: number;
  /** Only when the caller passed `totalPartitions`: total minus the others. */
  missing?: number;
}

/** A page of an asset's partition status ranges, with the asset's counts. */
export interface PartitionStatusPage {
  ranges: PartitionRange[];
  counts: PartitionStatusCounts;
  /** Pass as `fromIndex` for the next page; absent on the last. */
  nextCursor?: number;
}

/** Options of `getPartitionStatus`. */
export interface PartitionStatusQuery {
  /** Only ranges starting at or after this partition index. Default 0. */
  fromIndex?: number;
  /** Ranges per page. Default 1000, at most 10,000. */
  limit?: number;
  /** Only ranges with this status. */
  status?: PartitionStatus;
  /** The number of partitions of the asset's definition, to report `counts.missing`. */
  totalPartitions?: number;
}

/** The latest result of one check on one partition. */
export interface CheckResult {
  checkId: string;
  checkName: string;
  assetKey: string;
  /** `undefined` for an unpartitioned asset. */
  partitionKey?: string;
  eventId: number;
  runId: string | null;
  passed: boolean;
  severity: string;
  blocking: boolean;
  timestamp: string;
}

/** A run as the indexes know it. */
export interface RunRecord {
  runId: string;
  status: RunStatus;
  /** Id of the event that created the run (its submission order). */
  createdEventId: number;
  backfillId: string | null;
  idempotencyKey: string | null;
  priority: number;
  tags: Record<string, string>;
  selection: string | string[] | null;
  partitionKeys: string[] | null;
  partitionRange: { start: string; end: string } | null;
  stepKeys: string[] | null;
  counts: Record<string, number> | null;
  queuedAt: string | null;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
}

/** A step of a run. */
export interface StepRecord {
  runId: string;
  stepKey: string;
  status: StepStatus;
  assetKeys: string[];
  partitionKey: string | null;
  attempts: number;
  materializations: number;
  startedAt: string;
  endedAt: string | null;
  error: unknown;
}
