import type { ExecutionPlan, RunEvent, SerializedError } from '@cairn/core';

/**
 * The contract between the run coordinator (which owns the queue and storage) and the worker pool
 * (which runs plans in isolated processes). The coordinator never runs user code itself.
 */

/** What the coordinator asks a worker to run. */
export interface RunExecutionRequest {
  runId: string;
  /** The plan, built by the coordinator with core's `buildPlan` (plain JSON). */
  plan: ExecutionPlan;
  /** Run config per asset key (validated by the engine against each asset's zod schema). */
  config?: Record<string, unknown>;
  /** Tags of the run (for logs and user code). */
  tags?: Record<string, string>;
  /**
   * The current data versions of the upstream partitions the plan reads but does not compute,
   * by core's `inputRef(assetKey, partitionKey)`, read from storage at dispatch. The worker makes
   * them the run's `history`, so materializations record them in `inputDataVersions`.
   */
  upstreamVersions?: UpstreamVersions;
}

/** The latest materialization of an upstream partition, as checks read it (`ctx.history`). */
export interface UpstreamMaterialization {
  dataVersion: string;
  /** ISO instant of the materialization. */
  timestamp: string;
  runId: string;
  codeVersion?: string;
  metadata: Record<string, unknown>;
}

/** The current data version of an upstream partition and the event that set it. */
export interface UpstreamVersion {
  dataVersion: string;
  /** ISO instant of the event that set it. */
  timestamp: string;
  /** A materialization, or an observation newer than the latest materialization. */
  source: 'materialization' | 'observation';
  /** The latest materialization (absent when the partition was only observed). */
  materialization?: UpstreamMaterialization;
}

/** Input ref (`inputRef(assetKey, partitionKey)`) → current data version. */
export type UpstreamVersions = Record<string, UpstreamVersion>;

/** How a run ended, as the pool saw it. */
export interface RunOutcome {
  status: 'success' | 'failure' | 'canceled';
  /** Set when the run failed outside a step (worker died, definitions failed to load...). */
  error?: SerializedError;
}

/** A run being executed by a worker. */
export interface RunExecutionHandle {
  /** Resolves when the run has ended and every event has been delivered to `onEvent`. */
  readonly result: Promise<RunOutcome>;
  /** Cancels the run: aborts its signal, then hard-kills the worker after a grace period. */
  cancel(reason?: string): void;
}

/** A warm pool of isolated workers that load the definitions once. */
export interface WorkerPool {
  /** Number of worker processes (= runs that can execute at once). */
  readonly size: number;
  /**
   * Runs a plan in a free worker (waiting for one when all are busy). Every event the run emits
   * is passed to `onEvent` in order; when the worker dies mid-run, the pool itself emits the
   * `step_failed` events of the steps in flight and a `run_finished` with status failure.
   */
  execute(request: RunExecutionRequest, onEvent: (event: RunEvent) => void): RunExecutionHandle;
  /** Replaces the workers with fresh ones that load the (changed) definitions module. */
  reload(): Promise<void>;
  /** Stops every worker (cancelling their runs). */
  close(): Promise<void>;
  /** Resolves once every worker has loaded the definitions; rejects with the load error. */
  ready?(): Promise<void>;
  /** Process ids of the live workers (diagnostics). */
  pids?(): number[];
}
