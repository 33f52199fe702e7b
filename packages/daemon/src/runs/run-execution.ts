import { hostname } from 'node:os';
import { type ExecutionPlan, type RunEvent, serializeError } from '@cairn/core';
import type { Storage, StoredEvent, StoredRunQueuedEvent } from '../storage/index.js';
import type { RunExecutionHandle, RunOutcome, WorkerPool } from '../workers/worker-pool-types.js';
import type { SlotHolder } from './concurrency-limits.js';
import type { PartitionIndexer } from './partition-indexer.js';
import type { QueuedRun } from './run-queue.js';
import { readUpstreamVersions } from './upstream-versions.js';

/** A queued run and what it was submitted with. */
export interface PendingRun extends QueuedRun {
  event: StoredRunQueuedEvent;
}

/** A claimed run: it holds its slots until its execution has ended and its events are stored. */
export interface ActiveRun extends SlotHolder {
  runId: string;
  handle?: RunExecutionHandle;
  cancelReason?: string;
}

/** What executing one run needs from its coordinator. */
export interface RunExecutionContext {
  storage: Storage;
  pool: WorkerPool;
  indexer: PartitionIndexer;
  /** The clock's now, as an ISO string. */
  now(): string;
  /** Appends through the coordinator (group commit, live listeners). */
  append(events: StoredEvent[]): Promise<number[]>;
  onError(err: unknown): void;
}

// Recorded on each claim so that a daemon restarting next to a live `cairn materialize` leaves
// that process's runs alone.
export const OWNER = Object.freeze({ pid: process.pid, host: hostname() });

/** `host:pid` of this process, as recorded on its `run_claims` rows. */
export const OWNER_HOLDER = `${OWNER.host}:${OWNER.pid}`;

/**
 * Executes a run this process has claimed (`claimRuns`) on the pool: records `run_started`,
 * stores every event the run emits, then its end. Returns `canceled` (canceled before it
 * started) or the pool's outcome.
 */
export async function executeRun(
  ctx: RunExecutionContext,
  run: PendingRun,
  active: ActiveRun,
): Promise<'canceled' | RunOutcome> {
  const plan = run.event.plan as ExecutionPlan;
  const { runId } = run;
  // Committed before any worker sees the run. Recovery fails a started run whose process died;
  // nothing ever dispatches a started run again.
  await ctx.append([
    {
      type: 'run_started',
      runId,
      timestamp: ctx.now(),
      stepKeys: plan.steps.map((s) => s.key),
      owner: OWNER,
    },
  ]);
  if (active.cancelReason !== undefined) {
    await ctx.append([
      { type: 'run_canceled', runId, timestamp: ctx.now(), reason: active.cancelReason },
    ]);
    return 'canceled';
  }
  let finished = false;
  let last: Promise<unknown> = Promise.resolve();
  const onEvent = (event: RunEvent): void => {
    // The engine's run_started duplicates the claim above.
    if (event.type === 'run_started') return;
    if (event.type === 'run_finished') finished = true;
    last = ctx.append([ctx.indexer.enrich(event)]).catch((err) => ctx.onError(err));
  };
  let outcome: RunOutcome;
  try {
    // Read after the claim, so upstreams materialized by runs that ended before it are seen.
    const upstreamVersions = await readUpstreamVersions(ctx.storage.db, plan);
    const handle = ctx.pool.execute(
      {
        runId,
        plan,
        ...(run.event.config === undefined ? {} : { config: run.event.config }),
        ...(run.event.tags === undefined ? {} : { tags: run.event.tags }),
        upstreamVersions,
      },
      onEvent,
    );
    active.handle = handle;
    if (active.cancelReason !== undefined) handle.cancel(active.cancelReason);
    outcome = await handle.result;
  } catch (err) {
    outcome = { status: 'failure', error: serializeError(err) };
  }
  // Group commit keeps order, so the last append committing means all have.
  await last;
  if (!finished) {
    await ctx.append([
      {
        type: 'run_finished',
        runId,
        timestamp: ctx.now(),
        status: outcome.status,
        ...(outcome.error === undefined ? {} : { error: outcome.error }),
      },
    ]);
  }
  return outcome;
}
