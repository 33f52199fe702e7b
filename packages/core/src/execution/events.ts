import type { CheckSeverity } from '../checks/asset-check.js';
import type { Metadata } from '../metadata.js';

/**
 * The events a run emits. Every event is plain JSON (no Dates, no Errors, no Maps) so the daemon
 * can append it to its event log as it is, and a worker process can send it over IPC unchanged.
 */

/** Fields every event has. */
export interface BaseEvent {
  /** The run this event belongs to. */
  runId: string;
  /** When it happened, as an ISO-8601 string from the run's clock. */
  timestamp: string;
}

/** Fields of the events that belong to one step. */
export interface StepEventFields extends BaseEvent {
  /** The step: `asset_key` or `asset_key[partition]` (a multi-asset's node id for multi-assets). */
  stepKey: string;
  /** The partition, absent for unpartitioned assets. */
  partitionKey?: string;
}

/** An error as events carry it: the user's own name, message and stack when the user code threw. */
export interface SerializedError {
  /** The Cairn error code (`CAIRN_STEP_FAILED` wraps a user exception). */
  code?: string;
  name: string;
  message: string;
  stack: string;
  /** The error's own `cause`, serialized the same way. */
  cause?: SerializedError;
}

/** Counts reported when a run finishes. */
export interface RunCounts {
  steps: number;
  succeeded: number;
  failed: number;
  skipped: number;
  reused: number;
  materializations: number;
  checksPassed: number;
  checksFailed: number;
}

/** The run began. */
export interface RunStartedEvent extends BaseEvent {
  type: 'run_started';
  /** Step keys of the plan, in execution order. */
  stepKeys: string[];
}

/** A step began its first attempt. */
export interface StepStartedEvent extends StepEventFields {
  type: 'step_started';
  /** The assets the step materializes (several for a multi-asset). */
  assetKeys: string[];
}

/** One asset partition was computed and stored. */
export interface MaterializationEvent extends StepEventFields {
  type: 'materialization';
  assetKey: string;
  metadata: Metadata;
  dataVersion: string;
  codeVersion?: string;
  /** `inputRef(upstream, partition)` → data version, for exactly the upstream partitions read. */
  inputDataVersions: Record<string, string>;
  /** The upstream asset keys at materialization time (to detect added or removed deps). */
  depKeys: string[];
}

/** One asset check was evaluated on an asset partition. */
export interface CheckEvaluationEvent extends StepEventFields {
  type: 'check_evaluation';
  assetKey: string;
  /** `asset_key:check_name`. */
  checkId: string;
  checkName: string;
  passed: boolean;
  severity: CheckSeverity;
  /** True when the check is declared blocking (it blocked only if it failed with severity error). */
  blocking: boolean;
  metadata: Metadata;
  description?: string;
}

/** A line the user's code (or the engine) logged. */
export interface LogEvent extends BaseEvent {
  type: 'log';
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields?: Record<string, unknown>;
  stepKey?: string;
  assetKey?: string;
  partitionKey?: string;
}

/** An attempt failed and the step will run again after `delayMs`. */
export interface StepRetryEvent extends StepEventFields {
  type: 'step_retry';
  /** The attempt that will run next (2 for the first retry). */
  attempt: number;
  delayMs: number;
  error: SerializedError;
}

/** The step failed for good (after its retries). */
export interface StepFailedEvent extends StepEventFields {
  type: 'step_failed';
  assetKeys: string[];
  /** The number of attempts made. */
  attempts: number;
  error: SerializedError;
}

/** The step did not run. */
export interface StepSkippedEvent extends StepEventFields {
  type: 'step_skipped';
  assetKeys: string[];
  /** Why, naming the failed upstream step or the failed blocking check. */
  reason: string;
}

/** The run ended. */
export interface RunFinishedEvent extends BaseEvent {
  type: 'run_finished';
  status: 'success' | 'failure' | 'canceled';
  counts: RunCounts;
  /** Wall time from run_started, in ms of the run's clock. */
  durationMs: number;
}

/** Every event a run emits. */
export type RunEvent =
  | RunStartedEvent
  | StepStartedEvent
  | MaterializationEvent
  | CheckEvaluationEvent
  | LogEvent
  | StepRetryEvent
  | StepFailedEvent
  | StepSkippedEvent
  | RunFinishedEvent;

/** The `type` of each event. */
export type RunEventType = RunEvent['type'];
