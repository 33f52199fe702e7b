import { randomUUID } from 'node:crypto';
import { type Clock, type Definitions, systemClock } from '@cairn/core';
import { DaemonError } from '../errors.js';
import {
  BACKFILL_ATTEMPT_TAG,
  BACKFILL_CHUNK_TAG,
  type BackfillPartitionStatus,
  type Storage,
  type StoredBackfillRequestedEvent,
  type StoredBackfillRunOptions,
} from '../storage/index.js';
import {
  activeBackfillIds,
  firstOpenChunk,
  listBackfillIds,
  readBackfillRow,
  readBackfillStatus,
  readLedger,
  requestedChunks,
  runsInFlight,
} from './backfill-reads.js';
import type {
  BackfillPartitionRecord,
  BackfillRequest,
  BackfillRunSubmitter,
  BackfillStatus,
  BackfillTickResult,
} from './backfill-types.js';
import { parseBackfillRequest, planBackfill } from './plan-backfill.js';

/** Options of `createBackfillManager`. */
export interface BackfillManagerOptions {
  storage: Storage;
  definitions: Definitions;
  /** The run coordinator (its `submit` and `cancel`). */
  runs: BackfillRunSubmitter;
  /** Where time comes from (event timestamps, the loop's interval). Default: the system clock. */
  clock?: Clock;
  /** Most runs of one backfill queued or running at once, unless the backfill sets its own. Default 8. */
  maxRunsInFlight?: number;
  /** Receives errors of the background loop. Default: `process.emitWarning`. */
  onError?: (err: unknown) => void;
}

/** The tag naming the backfill of a run (also in the run's `backfillId`). */
export const BACKFILL_TAG = 'cairn/backfill';

/**
 * Creates backfills and drives them: `tick()` submits the next chunks of every active backfill
 * (at most `maxRunsInFlight` runs of one backfill at once), cancels the runs of canceled ones,
 * and is safe to call again after a crash: everything it knows is read from the ledger, and every
 * submission carries an idempotency key derived from (backfill, chunk, attempt).
 *
 * @example
 * const backfills = createBackfillManager({ storage, definitions: defs, runs: coordinator });
 * const { backfillId } = await backfills.create({ selection: 'shop/*', partitions: { from: '2024-01-01', to: '2024-12-31' } });
 * backfills.start(); // or call tick() from the daemon's loop
 */
export class BackfillManager {
  readonly #storage: Storage;
  readonly #defs: Definitions;
  readonly #runs: BackfillRunSubmitter;
  readonly #clock: Clock;
  readonly #maxRunsInFlight: number;
  readonly #onError: (err: unknown) => void;
  readonly #cancelAsked = new Set<string>();
  #ticking: Promise<BackfillTickResult> | undefined;
  #loop: Promise<void> | undefined;
  #stop: AbortController | undefined;
  #nap: AbortController | undefined;

  constructor(options: BackfillManagerOptions) {
    this.#storage = options.storage;
    this.#defs = options.definitions;
    this.#runs = options.runs;
    this.#clock = options.clock ?? systemClock;
    this.#maxRunsInFlight = options.maxRunsInFlight ?? 8;
    this.#onError = options.onError ?? ((err) => process.emitWarning(String(err)));
    if (!Number.isSafeInteger(this.#maxRunsInFlight) || this.#maxRunsInFlight < 1) {
      throw new DaemonError(
        'CAIRN_INVALID_OPTIONS',
        `createBackfillManager: maxRunsInFlight must be a positive integer, got ${String(options.maxRunsInFlight)}.`,
        { option: 'maxRunsInFlight', value: options.maxRunsInFlight },
      );
    }
  }

  /**
   * Validates a request, splits it into chunks by the assets' backfill policies and records it
   * (`backfill_requested`). A bad request throws CAIRN_INVALID_BACKFILL and records nothing.
   */
  async create(input: BackfillRequest): Promise<BackfillStatus> {
    const request = parseBackfillRequest(input);
    const backfillId = request.backfillId ?? `bf_${randomUUID().replaceAll('-', '')}`;
    if ((await readBackfillRow(this.#storage.db, backfillId)) !== undefined) {
      throw new DaemonError(
        'CAIRN_BACKFILL_EXISTS',
        `A backfill with id "${backfillId}" already exists; pick another id, or leave backfillId out to get a new one.`,
        { backfillId },
      );
    }
    const now = this.#clock.now();
    const plan = await planBackfill(this.#defs, this.#storage, request, {
      now,
      dynamic: this.#storage,
    });
    const options: StoredBackfillRunOptions = {};
    if (request.maxRunsInFlight !== undefined) options.maxRunsInFlight = request.maxRunsInFlight;
    if (request.priority !== undefined) options.priority = request.priority;
    if (request.tags !== undefined) options.tags = request.tags;
    if (request.maxRetries !== undefined) options.maxRetries = request.maxRetries;
    if (request.config !== undefined) options.config = request.config;
    const event: StoredBackfillRequestedEvent = {
      type: 'backfill_requested',
      backfillId,
      timestamp: now.toISOString(),
      selection: request.selection,
      partitions: request.partitions,
      chunks: plan.chunks,
      options,
    };
    await this.#storage.append([event]);
    this.wake();
    return (await this.get(backfillId))!;
  }

  /**
   * Cancels a backfill: partitions not yet submitted become canceled at once, and its queued and
   * running runs are canceled (their partitions become canceled when they end).
   */
  async cancel(backfillId: string, reason = 'backfill canceled'): Promise<BackfillStatus> {
    await this.#require(backfillId);
    await this.#storage.append([
      { type: 'backfill_canceled', backfillId, timestamp: this.#now(), reason },
    ]);
    await this.#cancelRuns(backfillId);
    return (await this.get(backfillId))!;
  }

  /** Resumes a canceled backfill: its canceled partitions are requested again. */
  async resume(backfillId: string): Promise<BackfillStatus> {
    const row = await this.#require(backfillId);
    const canceled = await readLedger(this.#storage.db, backfillId, { status: 'canceled' });
    if (row.canceled || canceled.length > 0) {
      await this.#storage.append([
        { type: 'backfill_resumed', backfillId, timestamp: this.#now() },
      ]);
      this.wake();
    }
    return (await this.get(backfillId))!;
  }

  /** Starts a new pass over only the failed partitions of a backfill. */
  async retryFailed(backfillId: string): Promise<BackfillStatus> {
    await this.#require(backfillId);
    const failed = await readLedger(this.#storage.db, backfillId, { status: 'failed' });
    if (failed.length > 0) {
      await this.#storage.append([
        { type: 'backfill_resumed', backfillId, timestamp: this.#now(), retryFailed: true },
      ]);
      this.wake();
    }
    return (await this.get(backfillId))!;
  }

  /** A backfill's status and progress (counts per status and per asset). */
  get(backfillId: string): Promise<BackfillStatus | undefined> {
    return readBackfillStatus(this.#storage.db, backfillId);
  }

  /** Backfills, newest first. */
  async list(opts: { limit?: number } = {}): Promise<BackfillStatus[]> {
    const ids = await listBackfillIds(this.#storage.db, opts.limit ?? 100);
    const out: BackfillStatus[] = [];
    for (const id of ids) {
      const status = await this.get(id);
      if (status !== undefined) out.push(status);
    }
    return out;
  }

  /** The ledger rows of a backfill in request order, optionally filtered. */
  async partitions(
    backfillId: string,
    filter: { status?: BackfillPartitionStatus; assetKey?: string; chunk?: number } = {},
  ): Promise<BackfillPartitionRecord[]> {
    await this.#require(backfillId);
    return readLedger(this.#storage.db, backfillId, filter);
  }

  /** Submits what active backfills may submit now and cancels the runs of canceled ones. */
  tick(): Promise<BackfillTickResult> {
    this.#ticking ??= this.#tick().finally(() => {
      this.#ticking = undefined;
    });
    return this.#ticking;
  }

  /** Runs `tick()` every `intervalMs` (and at once on `wake()`) until `stop()`. */
  start(intervalMs = 250): void {
    if (this.#loop !== undefined) return;
    const stop = new AbortController();
    this.#stop = stop;
    this.#loop = (async () => {
      while (!stop.signal.aborted) {
        try {
          const result = await this.tick();
          for (const e of result.errors) this.#onError(e.error);
        } catch (err) {
          this.#onError(err);
        }
        if (stop.signal.aborted) break;
        const nap = new AbortController();
        this.#nap = nap;
        const onStop = () => nap.abort();
        stop.signal.addEventListener('abort', onStop, { once: true });
        await this.#clock.sleep(intervalMs, nap.signal).catch(() => undefined);
        stop.signal.removeEventListener('abort', onStop);
      }
    })();
  }

  /** Makes the running loop tick now (after a run ended or a backfill changed). */
  wake(): void {
    this.#nap?.abort();
  }

  /** Stops the loop and waits for a tick in progress. */
  async stop(): Promise<void> {
    this.#stop?.abort();
    await this.#loop;
    await this.#ticking?.catch(() => undefined);
    this.#loop = undefined;
  }

  async #tick(): Promise<BackfillTickResult> {
    const result: BackfillTickResult = { submitted: 0, canceled: 0, errors: [] };
    for (const backfillId of await activeBackfillIds(this.#storage.db)) {
      try {
        const row = await readBackfillRow(this.#storage.db, backfillId);
        if (row === undefined) continue;
        if (row.canceled) {
          result.canceled += await this.#cancelRuns(backfillId);
          continue;
        }
        result.submitted += await this.#submitNext(backfillId, row.request, row.chunks);
      } catch (err) {
        result.errors.push({ backfillId, error: err });
      }
    }
    return result;
  }

  /** Submits the next requested chunks of a backfill, within its cap and its current group. */
  async #submitNext(
    backfillId: string,
    request: NonNullable<Awaited<ReturnType<typeof readBackfillRow>>>['request'],
    totalChunks: number,
  ): Promise<number> {
    const db = this.#storage.db;
    const cap = request.options.maxRunsInFlight ?? this.#maxRunsInFlight;
    const inFlight = (await runsInFlight(db, backfillId)).length;
    if (inFlight >= cap) return 0;
    const first = await firstOpenChunk(db, backfillId);
    if (first === undefined) return 0;
    // Groups run in order: only chunks of the group the first open chunk belongs to.
    const groupEnd = request.groupEnds.find((end) => end > first) ?? totalChunks;
    let submitted = 0;
    for (const chunk of await requestedChunks(db, backfillId, groupEnd, cap - inFlight)) {
      const rows = await readLedger(db, backfillId, { chunk });
      const requested = rows.filter((r) => r.status === 'requested');
      if (requested.length === 0) continue;
      // Every submission of a chunk gets the next attempt number, so its key is new; a restart
      // that repeats a submission whose run_queued committed finds the rows already assigned.
      const attempt = Math.max(0, ...rows.map((r) => r.attempts)) + 1;
      const assetKeys = [...new Set(requested.map((r) => r.assetKey))];
      const partitionKeys = [...new Set(requested.map((r) => r.partitionKey))];
      const { options } = request;
      const submit: Parameters<BackfillRunSubmitter['submit']>[0] = {
        selection: assetKeys,
        backfillId,
        idempotencyKey: `backfill/${backfillId}/${chunk}/${attempt}`,
        tags: {
          ...(options.tags ?? {}),
          [BACKFILL_TAG]: backfillId,
          [BACKFILL_CHUNK_TAG]: String(chunk),
          [BACKFILL_ATTEMPT_TAG]: String(attempt),
        },
      };
      if (partitionKeys.length === 1) submit.partitionKey = partitionKeys[0]!;
      else submit.partitionKeys = partitionKeys;
      if (options.priority !== undefined) submit.priority = options.priority;
      if (options.maxRetries !== undefined) submit.maxRetries = options.maxRetries;
      if (options.config !== undefined) submit.config = options.config;
      const { created, runId } = await this.#runs.submit(submit);
      if (!created) {
        const still = await readLedger(db, backfillId, { chunk, status: 'requested' });
        if (still.length > 0) {
          throw new DaemonError(
            'CAIRN_INVALID_BACKFILL',
            `Backfill "${backfillId}": chunk ${chunk} was already submitted as run ${runId} (same idempotency key), but the ledger did not record it; the run coordinator must keep the run's backfillId and tags. Rebuild the indexes (rebuildIndexes()) and check the coordinator.`,
            { backfillId, chunk, runId },
          );
        }
      }
      submitted++;
    }
    return submitted;
  }

  /** Asks the coordinator to cancel the runs a canceled backfill still has; returns how many. */
  async #cancelRuns(backfillId: string): Promise<number> {
    let asked = 0;
    for (const runId of await runsInFlight(this.#storage.db, backfillId)) {
      if (this.#cancelAsked.has(runId)) continue;
      this.#cancelAsked.add(runId);
      asked++;
      try {
        await this.#runs.cancel(runId, `backfill ${backfillId} was canceled`);
      } catch (err) {
        // The run ended meanwhile (its rows settle with its end) or lives in another process.
        this.#onError(err);
      }
    }
    return asked;
  }

  async #require(backfillId: string) {
    const row = await readBackfillRow(this.#storage.db, backfillId);
    if (row === undefined) {
      throw new DaemonError(
        'CAIRN_UNKNOWN_BACKFILL',
        `No backfill with id "${backfillId}" in ${this.#storage.where}; list backfills to find its id.`,
        { backfillId },
      );
    }
    return row;
  }

  #now(): string {
    return this.#clock.now().toISOString();
  }
}

/** Creates the backfill manager (call `start()` or drive `tick()` from the daemon's loop). */
export function createBackfillManager(options: BackfillManagerOptions): BackfillManager {
  return new BackfillManager(options);
}
