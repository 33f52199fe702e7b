import type { Clock, Definitions } from '@cairn/core';
import type { Storage } from '../storage/index.js';
import type { WorkerPool } from '../workers/worker-pool-types.js';
import type { ConcurrencyLimits } from './concurrency-limits.js';

/** Options of a `RunCoordinator`. */
export interface RunCoordinatorOptions {
  storage: Storage;
  definitions: Definitions;
  pool: WorkerPool;
  clock: Clock;
  limits: ConcurrencyLimits;
  /**
   * `all` (the daemon): recover interrupted runs on start and dispatch every queued run.
   * `own` (a one-shot `cairn materialize` next to a running daemon): no recovery, and only runs
   * submitted through this coordinator are dispatched, so two processes never claim one run.
   */
  scope?: 'all' | 'own';
  /** Receives errors that have no caller to go to (a failed append of a worker's event). */
  onError?: (err: unknown) => void;
  /** Milliseconds between heartbeats of the runs this process executes (`run_claims`). Default 5000. */
  heartbeatIntervalMs?: number;
  /**
   * Scope `all`: fail the runs left started by dead processes on start. Default true; a
   * `cairn worker` turns it off (the leader daemon recovers by expired heartbeats instead).
   */
  recoverOnStart?: boolean;
  /**
   * False: never claim or execute runs (a daemon that leads the loops and serves the API while
   * `cairn worker` processes execute). Submitting, cancelling and recovery still work. Default true.
   */
  dispatch?: boolean;
  /**
   * Most runs executing at once across every process sharing the database (this process's own
   * check; the leader also publishes it for the fleet). Default: no such limit.
   */
  globalMaxConcurrentRuns?: number;
  /** Milliseconds before claiming again when runs of other processes hold the limits. Default 1000. */
  claimRetryMs?: number;
  /** Milliseconds between storage looks for runs awaited by `waitForRun` that end in another process. Default 500. */
  waitPollMs?: number;
}

/** Options of `reexecute()`. */
export interface ReexecuteOptions {
  /** Reuse the steps that materialized in the parent and run only the failed and not-run ones. Default true. */
  fromFailure?: boolean;
  /** Tags of the new run. Default: the parent's. */
  tags?: Record<string, string>;
  /** Priority of the new run. Default: the parent's. */
  priority?: number;
}

/** What `stop()` does with runs that are executing. */
export interface StopOptions {
  /** `cancel` (default): cancel them and wait until they have ended; `wait`: let them finish. */
  running?: 'cancel' | 'wait';
}
