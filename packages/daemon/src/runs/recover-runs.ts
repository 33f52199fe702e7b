import { hostname } from 'node:os';
import type { Clock } from '@cairn/core';
import { leaseDb } from '../leases/lease-tables.js';
import type { Storage, StoredError, StoredEvent } from '../storage/index.js';
import type { PartitionIndexer } from './partition-indexer.js';
import { listRunsWithStatus } from './run-store.js';

/** Why recovery fails a run: the message users read on the run and its steps. */
export const INTERRUPTED_MESSAGE = 'the daemon stopped while this run was running';

/** The error recorded on runs and steps the daemon was running when it stopped. */
export function interruptedError(): StoredError {
  return {
    code: 'CAIRN_RUN_INTERRUPTED',
    name: 'CairnError',
    message: `${INTERRUPTED_MESSAGE}; re-execute it from failure (or give it maxRetries to be requeued automatically).`,
  };
}

/**
 * Fails every run left `started` by a daemon that died: a `step_failed` for each step still in
 * progress (its partitions become failed) and a `run_finished` with status failure and the reason,
 * appended in one group commit per run. Returns the ids of the runs it failed, oldest first.
 */
export async function failInterruptedRuns(
  storage: Storage,
  indexer: PartitionIndexer,
  clock: Clock,
  append: (events: StoredEvent[]) => Promise<number[]>,
  options: { onlyDeadOnThisHost?: boolean; runIds?: readonly string[] } = {},
): Promise<string[]> {
  const failed: string[] = [];
  if (options.runIds !== undefined) {
    // Runs whose claimer stopped heartbeating: the expired heartbeat is the proof of death.
    for (const runId of options.runIds) {
      if ((await storage.getRun(runId))?.status !== 'started') continue;
      await append(await interruptedEvents(storage, indexer, clock, runId));
      failed.push(runId);
    }
    return failed;
  }
  for (const { runId } of await listRunsWithStatus(storage, 'started')) {
    // A new leader fails only what it can prove dead: runs of exited processes on its own host.
    const owner = options.onlyDeadOnThisHost === true ? await ownerOf(storage, runId) : undefined;
    if (options.onlyDeadOnThisHost === true && (owner === undefined || !isDeadLocal(owner))) {
      continue;
    }
    if (await claimedByLiveProcess(storage, runId)) continue;
    await append(await interruptedEvents(storage, indexer, clock, runId));
    failed.push(runId);
  }
  return failed;
}

/** A `step_failed` for each step of the run still in progress, then its failed `run_finished`. */
async function interruptedEvents(
  storage: Storage,
  indexer: PartitionIndexer,
  clock: Clock,
  runId: string,
): Promise<StoredEvent[]> {
  const timestamp = clock.now().toISOString();
  const error = interruptedError();
  const events: StoredEvent[] = [];
  const materialized = await materializedInRun(storage, runId);
  for (const step of await storage.getSteps(runId)) {
    if (step.status !== 'in_progress') continue;
    // Core emits no "step succeeded" event: a step whose materializations were committed before
    // the daemon died is done, and only the assets it had not materialized yet failed.
    const pk = step.partitionKey ?? '';
    const assetKeys = step.assetKeys.filter((a) => !materialized.has(`${a}\0${pk}`));
    if (assetKeys.length === 0) continue;
    events.push(
      indexer.enrich({
        type: 'step_failed',
        runId,
        timestamp,
        stepKey: step.stepKey,
        assetKeys,
        ...(step.partitionKey === null ? {} : { partitionKey: step.partitionKey }),
        attempts: step.attempts,
        error,
      }),
    );
  }
  events.push({ type: 'run_finished', runId, timestamp, status: 'failure', error });
  return events;
}

/** `asset\0partition` of every materialization the run committed ('' for unpartitioned). */
async function materializedInRun(storage: Storage, runId: string): Promise<Set<string>> {
  const rows = await storage.db
    .selectFrom('event_log')
    .select(['asset_key', 'partition_key'])
    .where('run_id', '=', runId)
    .where('type', '=', 'materialization')
    .execute();
  return new Set(rows.map((r) => `${r.asset_key}\0${r.partition_key ?? ''}`));
}

/**
 * True when the run was claimed by another process on this host that is still alive (a
 * `cairn materialize` or `cairn worker` sharing the database), or by a process on another host
 * (whose liveness only its heartbeat tells: the leader's reaper recovers it once that expired).
 * A pid reused by an unrelated process after a crash would keep the run started until that
 * process exits; rare, and a later start fails it.
 */
async function claimedByLiveProcess(storage: Storage, runId: string): Promise<boolean> {
  const owner = await ownerOf(storage, runId);
  if (owner === undefined || owner.pid === process.pid) return false;
  if (owner.host !== hostname()) return hasClaim(storage, runId);
  return !isDeadLocal(owner);
}

/** True when the run has a `run_claims` row (runs started before migration 004 have none). */
async function hasClaim(storage: Storage, runId: string): Promise<boolean> {
  const row = await leaseDb(storage)
    .selectFrom('run_claims')
    .select('run_id')
    .where('run_id', '=', runId)
    .executeTakeFirst();
  return row !== undefined;
}

/** The `owner` recorded on the run's latest `run_started`, when it has one. */
async function ownerOf(
  storage: Storage,
  runId: string,
): Promise<{ pid: number; host: unknown } | undefined> {
  const row = await storage.db
    .selectFrom('event_log')
    .select('payload')
    .where('run_id', '=', runId)
    .where('type', '=', 'run_started')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const owner = (JSON.parse(row.payload) as { owner?: { pid?: unknown; host?: unknown } }).owner;
  if (typeof owner?.pid !== 'number') return undefined;
  return { pid: owner.pid, host: owner.host };
}

/** True when `owner` is a process on this host (not this one) that has exited. */
function isDeadLocal(owner: { pid: number; host: unknown }): boolean {
  if (owner.host !== hostname() || owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
