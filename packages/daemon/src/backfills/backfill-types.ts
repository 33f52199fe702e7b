import type { BackfillPartitionStatus } from '../storage/index.js';

/**
 * The public shapes of backfills: what a caller asks for, what the manager submits, and the
 * status it reports.
 */

/**
 * Which partitions a backfill covers: explicit keys, an inclusive range, every partition, or the
 * partitions that are missing (no materialization, not failed, not in progress) or failed now.
 */
export type BackfillPartitionSet =
  | readonly string[]
  | { from: string; to: string }
  | 'all'
  | 'missing'
  | 'failed';

/** What `create()` takes. */
export interface BackfillRequest {
  /** A selection string (`*`, `shop/*`, `+revenue`...) or exact asset keys; every asset must be partitioned. */
  selection: string | readonly string[];
  /** The partitions to materialize (of each selected asset's partitions definition). */
  partitions: BackfillPartitionSet;
  /** The backfill's id. Default: a new `bf_` + random UUID. */
  backfillId?: string;
  /** Most runs of this backfill queued or running at once. Default: the manager's (8). */
  maxRunsInFlight?: number;
  /** Priority of the backfill's runs. Default 0. */
  priority?: number;
  /** Extra tags of the backfill's runs. Default none. */
  tags?: Record<string, string>;
  /** Automatic re-runs of a run that dies with its worker or the daemon. Default 0. */
  maxRetries?: number;
  /** Run config by asset key, passed to every run. Default none. */
  config?: Record<string, unknown>;
}

/** What the backfill manager needs from the run coordinator (its `submit` and `cancel`). */
export interface BackfillRunSubmitter {
  /** Queues a run; a known `idempotencyKey` returns the existing run with `created: false`. */
  submit(request: {
    selection: string[];
    partitionKey?: string;
    partitionKeys?: string[];
    tags?: Record<string, string>;
    priority?: number;
    idempotencyKey?: string;
    backfillId?: string;
    config?: Record<string, unknown>;
    maxRetries?: number;
  }): Promise<{ runId: string; created: boolean }>;
  /** Cancels a queued or running run. */
  cancel(runId: string, reason?: string): Promise<unknown>;
}

/** Number of ledger rows (asset partitions) in each status. */
export type BackfillCounts = Record<BackfillPartitionStatus, number>;

/**
 * The overall status of a backfill: `requested` (nothing submitted yet), `in_progress`,
 * `canceling` (canceled, runs still ending), `canceled`, `completed` (everything materialized),
 * `failed` (done, some partitions failed).
 */
export type BackfillState =
  | 'requested'
  | 'in_progress'
  | 'canceling'
  | 'canceled'
  | 'completed'
  | 'failed';

/** A backfill's status and progress, from its ledger. */
export interface BackfillStatus {
  backfillId: string;
  state: BackfillState;
  createdAt: string;
  selection: string | string[];
  partitions: BackfillPartitionSet;
  /** The options its runs are submitted with. */
  options: Omit<BackfillRequest, 'selection' | 'partitions' | 'backfillId'>;
  /** Number of chunks (runs of the first pass). */
  chunks: number;
  /** 1 + the number of resume / retry-failed passes. */
  passes: number;
  /** Asset partitions in the backfill. */
  total: number;
  counts: BackfillCounts;
  /** Counts per asset key. */
  assets: Record<string, BackfillCounts>;
  /** Runs of this backfill queued or running now. */
  runsInFlight: number;
}

/** One ledger row. */
export interface BackfillPartitionRecord {
  assetKey: string;
  partitionKey: string;
  chunk: number;
  status: BackfillPartitionStatus;
  runId: string | null;
  attempts: number;
}

/** What one `tick()` did. */
export interface BackfillTickResult {
  /** Runs submitted. */
  submitted: number;
  /** Runs asked to cancel (of canceled backfills). */
  canceled: number;
  /** Problems met (a submit that failed); the tick goes on with the next backfill. */
  errors: { backfillId: string; error: unknown }[];
}

/** An empty counts record. */
export function emptyCounts(): BackfillCounts {
  return { requested: 0, in_progress: 0, materialized: 0, failed: 0, canceled: 0 };
}
