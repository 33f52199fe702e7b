import { randomUUID } from 'node:crypto';
import type { Clock, Definitions } from '@cairn/core';
import { DaemonError } from '../errors.js';
import { expiredRunClaims, RunHeartbeats } from '../leases/run-heartbeats.js';
import type {
  EventRecord,
  RunRecord,
  Storage,
  StoredEvent,
  StoredRunQueuedEvent,
} from '../storage/index.js';
import type { WorkerPool } from '../workers/worker-pool-types.js';
import type { ConcurrencyLimits } from './concurrency-limits.js';
import { EventHub, type EventListener } from './event-hub.js';
import { publishFleetLimits } from './fleet-limits.js';
import { PartitionIndexer } from './partition-indexer.js';
import { planRun } from './plan-run.js';
import { failInterruptedRuns } from './recover-runs.js';
import { requestOf, reusableSteps } from './reexecution.js';
import { claimRuns, releaseClaims, voidStaleClaims } from './run-claim.js';
import type {
  ReexecuteOptions,
  RunCoordinatorOptions,
  StopOptions,
} from './run-coordinator-options.js';
import { type ActiveRun, executeRun, OWNER_HOLDER, type PendingRun } from './run-execution.js';
import { RunQueue } from './run-queue.js';
import { parseRunRequest, type RunRequest, type SubmitResult } from './run-request.js';
import { findRunByIdempotencyKey, listRunsWithStatus, readQueuedEvent } from './run-store.js';
import { RunWaiters } from './run-waiters.js';

const TERMINAL = new Set(['success', 'failure', 'canceled']);

/**
 * The run queue and dispatcher. `submit` plans a request and records it (`run_queued`); the
 * dispatch loop, woken by submits and run ends, claims the next runs that fit the concurrency
 * limits counted across every process sharing the database (`claimRuns`: one exclusive
 * transaction, a `run_claims` row per run, so a run is dispatched exactly once), records
 * `run_started` BEFORE a worker sees the run, and hands it to the worker pool, appending every
 * event the pool reports through the group commit. A run held back only by runs of other
 * processes is retried every `claimRetryMs`.
 */
export class RunCoordinator {
  readonly #storage: Storage;
  readonly #defs: Definitions;
  readonly #pool: WorkerPool;
  readonly #clock: Clock;
  readonly #limits: ConcurrencyLimits & { globalMaxConcurrentRuns?: number };
  readonly #dispatchEnabled: boolean;
  readonly #claimRetryMs: number;
  readonly #scope: 'all' | 'own';
  readonly #onError: (err: unknown) => void;
  readonly #hub: EventHub;
  readonly #indexer: PartitionIndexer;
  readonly #queue = new RunQueue<PendingRun>();
  readonly #active = new Map<string, ActiveRun>();
  readonly #executions = new Set<Promise<void>>();
  readonly #submitting = new Map<string, Promise<SubmitResult>>();
  readonly #waiters: RunWaiters;
  readonly #heartbeats: RunHeartbeats;
  readonly #recoverOnStart: boolean;
  #state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  #wakeScheduled = false;
  #dispatching: Promise<void> | undefined;
  #redispatch = false;
  #retryTimer: NodeJS.Timeout | undefined;

  constructor(options: RunCoordinatorOptions) {
    this.#storage = options.storage;
    this.#defs = options.definitions;
    this.#pool = options.pool;
    this.#clock = options.clock;
    this.#limits =
      options.globalMaxConcurrentRuns === undefined
        ? options.limits
        : { ...options.limits, globalMaxConcurrentRuns: options.globalMaxConcurrentRuns };
    this.#dispatchEnabled = options.dispatch ?? true;
    this.#claimRetryMs = options.claimRetryMs ?? 1000;
    this.#scope = options.scope ?? 'all';
    this.#onError = options.onError ?? ((err) => process.emitWarning(String(err)));
    this.#hub = new EventHub(this.#onError);
    this.#indexer = new PartitionIndexer(this.#defs, this.#storage);
    this.#recoverOnStart = options.recoverOnStart ?? true;
    this.#heartbeats = new RunHeartbeats({
      storage: this.#storage,
      activeRunIds: () => this.activeRunIds,
      intervalMs: options.heartbeatIntervalMs ?? 5000,
      onError: this.#onError,
    });
    this.#waiters = new RunWaiters(
      this.#storage,
      (runId) => this.#unknownRun(runId),
      options.waitPollMs ?? 500,
    );
  }

  /** Adds `partitionIndex` to events; shared with the asset operations. */
  get indexer(): PartitionIndexer {
    return this.#indexer;
  }

  /** Number of runs waiting in this coordinator's queue. */
  get queuedCount(): number {
    return this.#queue.size;
  }

  /** Ids of the runs executing now. */
  get activeRunIds(): string[] {
    return [...this.#active.keys()];
  }

  /**
   * Recovers (scope `all`): fails the runs a dead daemon left started (requeueing a retry where
   * `maxRetries` allows), loads the queued runs, then starts dispatching.
   */
  async start(): Promise<void> {
    if (this.#state !== 'new') return;
    if (this.#scope === 'all' && this.#recoverOnStart) {
      const failed = await failInterruptedRuns(this.#storage, this.#indexer, this.#clock, (e) =>
        this.append(e),
      );
      for (const runId of failed) await this.#retryIfAllowed(runId);
    }
    if (this.#scope === 'all' && this.#dispatchEnabled) {
      for (const { runId } of await listRunsWithStatus(this.#storage, 'queued')) {
        const queued = await readQueuedEvent(this.#storage, runId);
        if (queued !== undefined) this.#enqueue(queued.seq, queued.event);
      }
    }
    this.#state = 'running';
    this.#heartbeats.start();
    this.#wake();
  }

  /**
   * After this daemon took the leader lease: fails the runs a dead daemon on this host left
   * started (requeueing retries) and dispatches the queued runs this coordinator does not know
   * (submitted by a leader that died before dispatching them). Claims keep every run exactly-once.
   */
  async adopt(): Promise<void> {
    if (this.#state !== 'running' || this.#scope !== 'all') return;
    // The leader's limits are the fleet's: every daemon and worker enforces them.
    await publishFleetLimits(
      this.#storage,
      {
        ...(this.#limits.globalMaxConcurrentRuns === undefined
          ? {}
          : { maxConcurrentRuns: this.#limits.globalMaxConcurrentRuns }),
        tagLimits: this.#limits.tagLimits,
        pools: this.#limits.pools,
      },
      OWNER_HOLDER,
      this.#now(),
    );
    const failed = await failInterruptedRuns(
      this.#storage,
      this.#indexer,
      this.#clock,
      (e) => this.append(e),
      { onlyDeadOnThisHost: true },
    );
    for (const runId of failed) await this.#retryIfAllowed(runId);
    await this.adoptQueued();
  }

  /** Queues the runs queued in storage that this coordinator does not know (submitted elsewhere). */
  async adoptQueued(): Promise<void> {
    if (this.#state !== 'running' || this.#scope !== 'all' || !this.#dispatchEnabled) return;
    for (const { runId } of await listRunsWithStatus(this.#storage, 'queued')) {
      if (this.#queue.has(runId) || this.#active.has(runId)) continue;
      const queued = await readQueuedEvent(this.#storage, runId);
      if (queued !== undefined) this.#enqueue(queued.seq, queued.event);
    }
  }

  /**
   * Fails (or requeues, per `maxRetries`) the started runs whose claimer stopped heartbeating for
   * `expireMs` (a worker or daemon that died anywhere). The leader calls it each lease pass.
   */
  async recoverExpired(expireMs: number): Promise<string[]> {
    if (this.#state !== 'running') return [];
    // Claimed by a process that died before recording run_started: void the claim; the run is
    // still queued and becomes claimable again (here, and by workers at their next poll).
    const voided = await voidStaleClaims(this.#storage, expireMs, new Set(this.#active.keys()));
    if (voided.length > 0) await this.adoptQueued();
    const expired = (await expiredRunClaims(this.#storage, expireMs)).filter(
      (runId) => !this.#active.has(runId),
    );
    if (expired.length === 0) return [];
    const failed = await failInterruptedRuns(
      this.#storage,
      this.#indexer,
      this.#clock,
      (e) => this.append(e),
      { runIds: expired },
    );
    for (const runId of failed) await this.#retryIfAllowed(runId);
    return failed;
  }

  /** Appends events through the group commit, then tells `onEvent` subscribers. */
  async append(events: StoredEvent[]): Promise<number[]> {
    const ids = await this.#storage.append(events);
    const records: EventRecord[] = events.map((event, i) => ({ id: ids[i]!, event }));
    this.#hub.emit(records);
    return ids;
  }

  /** Subscribes to every event this coordinator commits; returns the unsubscribe function. */
  onEvent(listener: EventListener): () => void {
    return this.#hub.subscribe(listener);
  }

  /**
   * Validates and plans a request and queues a run (`run_queued`). Bad selections or partitions
   * throw core's error and create nothing; a known `idempotencyKey` returns the existing run.
   */
  submit(input: RunRequest): Promise<SubmitResult> {
    if (this.#state === 'stopping' || this.#state === 'stopped') {
      return Promise.reject(this.#stoppedError('submit'));
    }
    let request: RunRequest;
    try {
      request = parseRunRequest(input);
    } catch (err) {
      return Promise.reject(err);
    }
    const key = request.idempotencyKey;
    if (key === undefined) return this.#create(request, {});
    // Same key submitted twice in one tick: the second waits for the first's run.
    const inflight = this.#submitting.get(key);
    if (inflight !== undefined) return inflight.then((r) => ({ runId: r.runId, created: false }));
    const result = (async () => {
      const existing = await findRunByIdempotencyKey(this.#storage, key);
      if (existing !== undefined) return { runId: existing, created: false };
      return this.#create(request, {});
    })();
    this.#submitting.set(key, result);
    const forget = () => this.#submitting.delete(key);
    result.then(forget, forget);
    return result;
  }

  /**
   * Cancels a run: a queued run becomes canceled at once; a running one is cancelled through its
   * worker (abort signal, then a hard kill). Resolves true when the cancel took effect or was
   * sent, false when the run had already ended.
   */
  async cancel(runId: string, reason = 'canceled by request'): Promise<boolean> {
    const queued = this.#queue.remove(runId);
    if (queued !== undefined) {
      await this.append([{ type: 'run_canceled', runId, timestamp: this.#now(), reason }]);
      await this.#runEnded(runId);
      return true;
    }
    const active = this.#active.get(runId);
    if (active !== undefined) {
      active.cancelReason ??= reason;
      active.handle?.cancel(reason);
      return true;
    }
    const run = await this.#storage.getRun(runId);
    if (run === undefined) throw this.#unknownRun(runId);
    if (TERMINAL.has(run.status)) return false;
    // Queued or running in another process (a `cairn materialize` next to the daemon): only that
    // process holds its worker, so record the cancel for a queued run and refuse a running one.
    if (run.status === 'queued') {
      await this.append([{ type: 'run_canceled', runId, timestamp: this.#now(), reason }]);
      return true;
    }
    throw new DaemonError(
      'CAIRN_RUN_NOT_FINISHED',
      `Run ${runId} is running in another process; cancel it there (Ctrl-C the cairn materialize that started it).`,
      { runId },
    );
  }

  /**
   * Submits a new run with the parent's selection and partitions (`parentRunId` set). From
   * failure, the steps that materialized in the parent are reused (their outputs are loaded from
   * the IO manager) and only the failed and not-run steps execute.
   */
  async reexecute(runId: string, options: ReexecuteOptions = {}): Promise<SubmitResult> {
    const run = await this.#storage.getRun(runId);
    if (run === undefined) throw this.#unknownRun(runId);
    if (!TERMINAL.has(run.status)) {
      throw new DaemonError(
        'CAIRN_RUN_NOT_FINISHED',
        `Run ${runId} is ${run.status}; re-execute it once it has ended (or cancel it first).`,
        { runId, status: run.status },
      );
    }
    const queued = await readQueuedEvent(this.#storage, runId);
    if (queued === undefined) {
      throw new DaemonError(
        'CAIRN_UNKNOWN_RUN',
        `Run ${runId} was not submitted through a daemon (no run_queued event), so its request is unknown; submit a new run instead.`,
        { runId },
      );
    }
    const parent = queued.event;
    const reuse =
      options.fromFailure === false ? [] : await reusableSteps(this.#storage, runId, parent);
    const request = requestOf(parent, reuse, runId);
    if (options.tags !== undefined) request.tags = options.tags;
    if (options.priority !== undefined) request.priority = options.priority;
    return this.submit(request);
  }

  /** Resolves with the run once it has ended (success, failure or canceled). */
  waitForRun(runId: string): Promise<RunRecord> {
    return this.#waiters.wait(runId);
  }

  /**
   * Stops dispatching; queued runs stay queued in storage for the next start. Running runs are
   * cancelled (default) or allowed to finish, and their events are committed before it resolves.
   */
  async stop(options: StopOptions = {}): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopping';
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#waiters.close();
    if ((options.running ?? 'cancel') === 'cancel') {
      for (const active of this.#active.values()) {
        active.cancelReason ??= 'the daemon is stopping';
        active.handle?.cancel(active.cancelReason);
      }
    }
    // A claim pass in flight lets go of what it claimed once it sees the state (releaseClaims).
    await this.#dispatching;
    while (this.#executions.size > 0) await Promise.allSettled([...this.#executions]);
    await this.#heartbeats.stop();
    await this.#storage.flush();
    this.#state = 'stopped';
  }

  async #create(request: RunRequest, extra: { attempt?: number }): Promise<SubmitResult> {
    const { plan, pools } = planRun(this.#defs, request, this.#storage, this.#clock.now());
    const runId = randomUUID();
    const event: StoredRunQueuedEvent = {
      type: 'run_queued',
      runId,
      timestamp: this.#now(),
      selection: request.selection,
      priority: request.priority ?? 0,
      tags: request.tags ?? {},
      plan,
      pools,
      attempt: extra.attempt ?? 1,
    };
    if (request.partitionKey !== undefined) event.partitionKeys = [request.partitionKey];
    if (request.partitionKeys !== undefined) event.partitionKeys = request.partitionKeys;
    if (request.partitionRange !== undefined) {
      event.partitionRange = { start: request.partitionRange.from, end: request.partitionRange.to };
    }
    if (request.idempotencyKey !== undefined) event.idempotencyKey = request.idempotencyKey;
    if (request.backfillId !== undefined) event.backfillId = request.backfillId;
    if (request.config !== undefined) event.config = request.config;
    if (request.maxRetries !== undefined) event.maxRetries = request.maxRetries;
    if (request.parentRunId !== undefined) event.parentRunId = request.parentRunId;
    if (request.reuseStepKeys !== undefined) event.reuseStepKeys = request.reuseStepKeys;
    const [seq] = await this.append([event]);
    // A stop that began while we were committing leaves the run queued for the next start.
    if (this.#state !== 'stopping' && this.#state !== 'stopped') this.#enqueue(seq!, event);
    return { runId, created: true };
  }

  #enqueue(seq: number, event: StoredRunQueuedEvent): void {
    if (!this.#dispatchEnabled) return;
    this.#queue.insert({
      runId: event.runId,
      seq,
      priority: event.priority ?? 0,
      tags: event.tags ?? {},
      pools: event.pools ?? [],
      event,
    });
    this.#wake();
  }

  /** Schedules one dispatch pass (coalesced: many submits in one tick cost one pass). */
  #wake(): void {
    if (this.#wakeScheduled || this.#state !== 'running' || !this.#dispatchEnabled) return;
    this.#wakeScheduled = true;
    setImmediate(() => {
      this.#wakeScheduled = false;
      this.#dispatch();
    });
  }

  /** Runs one claim pass at a time; a wake during a pass runs another after it. */
  #dispatch(): void {
    if (this.#state !== 'running') return;
    if (this.#dispatching !== undefined) {
      this.#redispatch = true;
      return;
    }
    this.#dispatching = this.#dispatchPass()
      .catch((err) => {
        this.#onError(err);
        this.#retryLater();
      })
      .finally(() => {
        this.#dispatching = undefined;
        if (this.#redispatch) {
          this.#redispatch = false;
          this.#wake();
        }
      });
  }

  /**
   * Claims queued runs in order while slots are free; a run blocked by a tag, pool or the fleet's
   * run limit is passed over, so it never blocks runs behind it that could start.
   */
  async #dispatchPass(): Promise<void> {
    while (this.#state === 'running') {
      const free = this.#limits.maxConcurrentRuns - this.#active.size;
      if (free <= 0 || this.#queue.size === 0) return;
      const result = await claimRuns(this.#storage, {
        candidates: this.#queue.snapshot(),
        max: free,
        limits: this.#limits,
        holder: OWNER_HOLDER,
        timestamp: this.#now(),
      });
      for (const runId of result.gone) this.#queue.remove(runId);
      const release: string[] = [];
      for (const run of result.claimed) {
        // Canceled while we claimed it (its run_canceled is being stored), or stopping: let go.
        if (this.#queue.remove(run.runId) === undefined || this.#state !== 'running') {
          release.push(run.runId);
          continue;
        }
        this.#startRun(run);
      }
      if (release.length > 0) await releaseClaims(this.#storage, release, OWNER_HOLDER);
      if (result.claimed.length === 0) {
        // Held back by runs of other processes, whose ends this process does not hear of.
        if (result.blocked) this.#retryLater();
        return;
      }
    }
  }

  #retryLater(): void {
    if (this.#retryTimer !== undefined || this.#state !== 'running') return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#wake();
    }, this.#claimRetryMs);
    this.#retryTimer.unref();
  }

  #startRun(run: PendingRun): void {
    const active: ActiveRun = { runId: run.runId, tags: run.tags, pools: run.pools };
    this.#active.set(run.runId, active);
    const execution = this.#execute(run, active)
      .catch((err) => this.#onError(err))
      .finally(() => {
        this.#active.delete(run.runId);
        this.#executions.delete(execution);
        this.#wake();
      });
    this.#executions.add(execution);
  }

  async #execute(run: PendingRun, active: ActiveRun): Promise<void> {
    const result = await executeRun(
      {
        storage: this.#storage,
        pool: this.#pool,
        indexer: this.#indexer,
        now: () => this.#now(),
        append: (events) => this.append(events),
        onError: this.#onError,
      },
      run,
      active,
    );
    // The slots are free once the run's events are stored; then the waiters learn of the end.
    this.#active.delete(run.runId);
    this.#wake();
    await this.#runEnded(run.runId);
    // Died outside user code (worker crashed or was killed): a run-level retry may follow.
    if (typeof result === 'object' && result.status === 'failure' && result.error !== undefined) {
      await this.#retryIfAllowed(run.runId);
    }
  }

  /** Queues a retry (from failure) of a run that died, when its `maxRetries` allows. */
  async #retryIfAllowed(runId: string): Promise<void> {
    if (this.#state === 'stopping' || this.#state === 'stopped') return;
    const queued = await readQueuedEvent(this.#storage, runId);
    if (queued === undefined) return;
    const attempt = queued.event.attempt ?? 1;
    if (attempt > (queued.event.maxRetries ?? 0)) return;
    const reuse = await reusableSteps(this.#storage, runId, queued.event);
    const request = requestOf(queued.event, reuse, runId);
    delete request.idempotencyKey;
    await this.#create(request, { attempt: attempt + 1 });
  }

  #runEnded(runId: string): Promise<void> {
    return this.#waiters.ended(runId);
  }

  #now(): string {
    return this.#clock.now().toISOString();
  }

  #unknownRun(runId: string): DaemonError {
    return new DaemonError(
      'CAIRN_UNKNOWN_RUN',
      `No run with id "${runId}" in ${this.#storage.where}; list runs to find its id.`,
      { runId },
    );
  }

  #stoppedError(op: string): DaemonError {
    return new DaemonError(
      'CAIRN_DAEMON_STOPPED',
      `${op}(): the daemon is stopping or stopped; start a daemon to submit runs.`,
      { op },
    );
  }
}
