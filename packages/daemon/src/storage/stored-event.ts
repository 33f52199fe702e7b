/**
 * The events the daemon stores in its event log. Structurally compatible with core's `RunEvent`
 * union (every core event is assignable to `StoredEvent`), plus the daemon's own events: runs
 * queued and canceled, wipes, observations, reported materializations of external assets and
 * dynamic partition changes. Every event is plain JSON, stored as it is in the log.
 *
 * Events about a partition may carry `partitionIndex`, the partition's position in its asset's
 * partitions definition (`indexOf(key)`), which the storage needs to keep partition status as
 * ranges; the daemon computes it when it appends.
 */

/** An error as events carry it (mirrors core's `SerializedError`). */
export interface StoredError {
  code?: string;
  name: string;
  message: string;
  stack?: string;
  cause?: StoredError;
}

/** Fields shared by events about one step of a run. */
interface StepFields {
  runId: string;
  timestamp: string;
  stepKey: string;
  partitionKey?: string;
  /** Position of `partitionKey` in the asset's partitions definition, when partitioned. */
  partitionIndex?: number;
}

/** The run began (core `run_started`). */
export interface StoredRunStartedEvent {
  type: 'run_started';
  runId: string;
  timestamp: string;
  stepKeys: readonly string[];
  /** The daemon process that claimed the run (recovery leaves runs of live processes alone). */
  owner?: { pid: number; host: string };
}

/** A step began its first attempt (core `step_started`): its partitions become in progress. */
export interface StoredStepStartedEvent extends StepFields {
  type: 'step_started';
  assetKeys: readonly string[];
}

/**
 * One asset partition was computed (core `materialization`), or, with `reported: true` and no
 * `stepKey`, an external asset's materialization reported from outside Cairn.
 */
export interface StoredMaterializationEvent {
  type: 'materialization';
  runId?: string;
  timestamp: string;
  stepKey?: string;
  assetKey: string;
  partitionKey?: string;
  partitionIndex?: number;
  metadata?: Record<string, unknown>;
  dataVersion?: string;
  codeVersion?: string;
  inputDataVersions?: Record<string, string>;
  depKeys?: readonly string[];
  /** True for a materialization reported for an external asset (no step computed it). */
  reported?: boolean;
}

/** One asset check was evaluated (core `check_evaluation`). */
export interface StoredCheckEvaluationEvent {
  type: 'check_evaluation';
  runId?: string;
  timestamp: string;
  stepKey?: string;
  assetKey: string;
  partitionKey?: string;
  partitionIndex?: number;
  checkId: string;
  checkName: string;
  passed: boolean;
  severity: 'warn' | 'error';
  blocking?: boolean;
  metadata?: Record<string, unknown>;
  description?: string;
}

/** A log line (core `log`). */
export interface StoredLogEvent {
  type: 'log';
  runId: string;
  timestamp: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields?: Record<string, unknown>;
  stepKey?: string;
  assetKey?: string;
  partitionKey?: string;
}

/** An attempt failed and will be retried (core `step_retry`). */
export interface StoredStepRetryEvent extends StepFields {
  type: 'step_retry';
  attempt: number;
  delayMs: number;
  error: StoredError;
}

/**
 * The step failed for good (core `step_failed`): its partitions become failed, except when the
 * error code is `CAIRN_RUN_ABORTED` (the run was canceled), which returns them to their status
 * before the step started.
 */
export interface StoredStepFailedEvent extends StepFields {
  type: 'step_failed';
  assetKeys: readonly string[];
  attempts: number;
  error: StoredError;
}

/** The step did not run (core `step_skipped`). */
export interface StoredStepSkippedEvent extends StepFields {
  type: 'step_skipped';
  assetKeys: readonly string[];
  reason: string;
}

/** The run ended (core `run_finished`). */
export interface StoredRunFinishedEvent {
  type: 'run_finished';
  runId: string;
  timestamp: string;
  status: 'success' | 'failure' | 'canceled';
  /** Core's `RunCounts`, stored as given. */
  counts?: object;
  durationMs?: number;
  /** Why the run failed outside its steps (worker died, daemon stopped), when it did. */
  error?: StoredError;
}

/** A run was requested and waits in the queue (daemon event). */
export interface StoredRunQueuedEvent {
  type: 'run_queued';
  runId: string;
  timestamp: string;
  /** The selection as requested: a selection string or a list of asset keys. */
  selection: string | readonly string[];
  partitionKeys?: readonly string[];
  partitionRange?: { start: string; end: string };
  tags?: Record<string, string>;
  /** Higher runs first. Default 0. */
  priority?: number;
  /** A caller-chosen key that makes re-submitting the same request recognizable. */
  idempotencyKey?: string;
  backfillId?: string;
  /** The execution plan built at submit (core `ExecutionPlan`, plain JSON); the run executes exactly this. */
  plan?: object;
  /** Concurrency pools the run's planned steps use (each needs a slot while the run runs). */
  pools?: readonly string[];
  /** Run config by asset key. */
  config?: Record<string, unknown>;
  /** Run-level retries allowed when the run dies with its worker or the daemon. */
  maxRetries?: number;
  /** 1 for a submitted run, n + 1 for the n-th automatic retry. */
  attempt?: number;
  /** The run this one re-executes or retries. */
  parentRunId?: string;
  /** Step keys reused from the parent run instead of recomputed. */
  reuseStepKeys?: readonly string[];
}

/** A run was canceled before or while running, by the daemon rather than the engine (daemon event). */
export interface StoredRunCanceledEvent {
  type: 'run_canceled';
  runId: string;
  timestamp: string;
  reason?: string;
}

/** Materializations of an asset (all of it, or the listed partitions) were wiped (daemon event). */
export interface StoredAssetWipedEvent {
  type: 'asset_wiped';
  timestamp: string;
  assetKey: string;
  /** The partitions wiped; absent wipes the whole asset. */
  partitionKeys?: readonly string[];
}

/** An asset's data version was observed without computing it (daemon event). */
export interface StoredAssetObservationEvent {
  type: 'asset_observation';
  runId?: string;
  timestamp: string;
  assetKey: string;
  partitionKey?: string;
  partitionIndex?: number;
  dataVersion?: string;
  metadata?: Record<string, unknown>;
}

/** Keys were added to a dynamic partitions definition (daemon event); existing keys are ignored. */
export interface StoredDynamicPartitionsAddedEvent {
  type: 'dynamic_partitions_added';
  timestamp: string;
  name: string;
  keys: readonly string[];
}

/** Keys were removed from a dynamic partitions definition (daemon event). */
export interface StoredDynamicPartitionsRemovedEvent {
  type: 'dynamic_partitions_removed';
  timestamp: string;
  name: string;
  keys: readonly string[];
}

/** One chunk of a backfill: the assets and partition keys one run materializes (daemon event part). */
export interface StoredBackfillChunk {
  /** The group (assets sharing a partitions definition) the chunk belongs to; groups run in order. */
  group: number;
  assetKeys: readonly string[];
  partitionKeys: readonly string[];
}

/** Options a backfill passes to each run it submits. */
export interface StoredBackfillRunOptions {
  /** Most runs of this backfill queued or running at once. */
  maxRunsInFlight?: number;
  priority?: number;
  tags?: Record<string, string>;
  maxRetries?: number;
  config?: Record<string, unknown>;
}

/**
 * A backfill was requested (daemon event): its ledger rows are every asset key × partition key of
 * every chunk, all `requested`. The chunks are decided once, here, so replaying the log rebuilds
 * exactly the same ledger.
 */
export interface StoredBackfillRequestedEvent {
  type: 'backfill_requested';
  backfillId: string;
  timestamp: string;
  /** The selection as requested. */
  selection: string | readonly string[];
  /** The partitions as requested: keys, a range, or all / missing / failed. */
  partitions: readonly string[] | { from: string; to: string } | 'all' | 'missing' | 'failed';
  chunks: readonly StoredBackfillChunk[];
  options?: StoredBackfillRunOptions;
}

/** A backfill was canceled (daemon event): what was not submitted becomes canceled. */
export interface StoredBackfillCanceledEvent {
  type: 'backfill_canceled';
  backfillId: string;
  timestamp: string;
  reason?: string;
}

/**
 * A backfill was resumed (daemon event): its canceled partitions are requested again, or, with
 * `retryFailed`, its failed partitions are.
 */
export interface StoredBackfillResumedEvent {
  type: 'backfill_resumed';
  backfillId: string;
  timestamp: string;
  retryFailed?: boolean;
}

/** Every event the event log stores. */
export type StoredEvent =
  | StoredRunStartedEvent
  | StoredStepStartedEvent
  | StoredMaterializationEvent
  | StoredCheckEvaluationEvent
  | StoredLogEvent
  | StoredStepRetryEvent
  | StoredStepFailedEvent
  | StoredStepSkippedEvent
  | StoredRunFinishedEvent
  | StoredRunQueuedEvent
  | StoredRunCanceledEvent
  | StoredAssetWipedEvent
  | StoredAssetObservationEvent
  | StoredDynamicPartitionsAddedEvent
  | StoredDynamicPartitionsRemovedEvent
  | StoredBackfillRequestedEvent
  | StoredBackfillCanceledEvent
  | StoredBackfillResumedEvent;

/** The `type` of each stored event. */
export type StoredEventType = StoredEvent['type'];

/** An event read back from the log with its sequence id (the global order of the log). */
export interface EventRecord {
  /** The event's sequence id: strictly increasing in commit order, never reused once committed. */
  id: number;
  event: StoredEvent;
}
