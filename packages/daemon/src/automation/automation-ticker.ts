import {
  type AssetAutomationEvaluation,
  type AutomationMemory,
  type Clock,
  type ConditionEvaluationNode,
  type Definitions,
  evaluateAutomationAsync,
  type Lookback,
} from '@cairn/core';
import type { RunRequest, SubmitResult } from '../runs/run-request.js';
import type { StoredAssetState } from '../staleness/stored-asset-state.js';
import type { Storage } from '../storage/storage.js';
import { AutomationMemoryStore } from './automation-memory-store.js';
import { automationDb } from './automation-tables.js';
import { decodeEvaluation, encodeEvaluation } from './evaluation-record.js';
import type { AssetFreshness, FreshnessMonitor } from './freshness-monitor.js';
import { TimeSlicer } from './time-slicer.js';

/** Options of the automation loop (`createDaemon({ automation })`). */
export interface AutomationOptions {
  /** Seconds between ticks; 0 turns the loop off (`tick()` still works). Default 30. */
  intervalSeconds?: number;
  /** Most runs requested per tick; the rest wait for the next tick. Default 100. */
  maxRunsPerTick?: number;
  /** How far back `eager()` re-materializes stale past partitions. Default: the latest window only. */
  lookback?: Lookback;
  /**
   * The evaluation runs in slices of about this many milliseconds and lets the event loop run
   * between them, so API requests and events are served during a tick over a large graph.
   * 0 yields after every asset. Default 20.
   */
  sliceMs?: number;
}

/** One stored evaluation of one asset in one tick. */
export interface StoredAutomationEvaluation extends AssetAutomationEvaluation {
  /** The evaluation's id (the paging cursor). */
  id: number;
  tickId: number;
  evaluatedAt: string;
  /** The condition tree with counts, for the UI. */
  tree: ConditionEvaluationNode | undefined;
}

/** What one tick did. */
export interface AutomationTickResult {
  tickId: number;
  evaluatedAt: string;
  durationMs: number;
  evaluatedAssets: number;
  /** Runs submitted (or found by their idempotency key). */
  runIds: string[];
  evaluations: AssetAutomationEvaluation[];
  /** Submissions that failed, with their error messages. */
  errors: string[];
  /** How many slices the evaluation ran in (the event loop ran between them). */
  slices: number;
  /** The longest slice of the evaluation, in ms (how long the tick kept the event loop waiting). */
  longestSliceMs: number;
}

/**
 * The automation tick: evaluates every asset's condition with core's `evaluateAutomation` over
 * the stored state (incremental: the updates since the previous tick's event id cursor), submits
 * the run requests through the coordinator under their per-tick run keys (idempotency keys), then
 * persists the memory (only the assets whose memory changed), the tick and every evaluation with
 * its reasons.
 */
export class AutomationTicker {
  readonly #defs: Definitions;
  readonly #state: StoredAssetState;
  readonly #db: ReturnType<typeof automationDb>;
  readonly #memoryStore: AutomationMemoryStore;
  readonly #clock: Clock;
  readonly #submit: (request: RunRequest) => Promise<SubmitResult>;
  readonly #freshness: FreshnessMonitor;
  readonly #onBreach: (breach: AssetFreshness) => void;
  readonly #options: Required<Omit<AutomationOptions, 'lookback'>> & { lookback?: Lookback };
  #memory: AutomationMemory | undefined;
  #loaded = false;
  #running: Promise<AutomationTickResult> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = true;
  #durations: { kind: string; durationMs: number }[] = [];

  constructor(options: {
    defs: Definitions;
    state: StoredAssetState;
    storage: Storage;
    clock: Clock;
    submit: (request: RunRequest) => Promise<SubmitResult>;
    freshness: FreshnessMonitor;
    onBreach: (breach: AssetFreshness) => void;
    options?: AutomationOptions;
  }) {
    this.#defs = options.defs;
    this.#state = options.state;
    this.#db = automationDb(options.storage);
    this.#memoryStore = new AutomationMemoryStore(this.#db);
    this.#clock = options.clock;
    this.#submit = options.submit;
    this.#freshness = options.freshness;
    this.#onBreach = options.onBreach;
    this.#options = {
      intervalSeconds: options.options?.intervalSeconds ?? 30,
      maxRunsPerTick: options.options?.maxRunsPerTick ?? 100,
      sliceMs: options.options?.sliceMs ?? 20,
      ...(options.options?.lookback === undefined ? {} : { lookback: options.options.lookback }),
    };
  }

  /** Starts the interval loop (no-op with `intervalSeconds: 0`). */
  start(): void {
    this.#stopped = false;
    this.#schedule();
  }

  /** Stops the loop and waits for a tick in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  /** Runs one tick now (after a tick in flight, never two at once). */
  tick(): Promise<AutomationTickResult> {
    const previous = this.#running ?? Promise.resolve(undefined);
    const next = previous
      .catch(() => undefined)
      .then(() => this.#tick())
      .finally(() => {
        if (this.#running === next) this.#running = undefined;
      });
    this.#running = next;
    return next;
  }

  /** Stored evaluations, newest first; `before` is the `id` of the last one of the previous page. */
  async evaluations(
    options: { assetKey?: string; limit?: number; before?: number | string } = {},
  ): Promise<{ evaluations: StoredAutomationEvaluation[]; nextCursor: number | null }> {
    const limit = options.limit ?? 100;
    let q = this.#db.selectFrom('automation_evaluations').selectAll().orderBy('id', 'desc');
    if (options.assetKey !== undefined) q = q.where('asset_key', '=', options.assetKey);
    if (options.before !== undefined) q = q.where('id', '<', Number(options.before));
    const rows = await q.limit(limit + 1).execute();
    const page = rows.slice(0, limit);
    return {
      evaluations: page.map((r) => ({
        ...decodeEvaluation(r.evaluation, r.asset_key),
        id: r.id,
        tickId: r.tick_id,
        evaluatedAt: r.evaluated_at,
      })),
      nextCursor: rows.length > limit ? page[page.length - 1]!.id : null,
    };
  }

  /** Recorded ticks, newest first. */
  async ticks(options: { limit?: number; before?: number } = {}) {
    let q = this.#db.selectFrom('automation_ticks').selectAll().orderBy('id', 'desc');
    if (options.before !== undefined) q = q.where('id', '<', options.before);
    const rows = await q.limit(options.limit ?? 100).execute();
    return rows.map((r) => ({
      id: r.id,
      evaluatedAt: r.evaluated_at,
      durationMs: r.duration_ms,
      evaluatedAssets: r.evaluated_assets,
      runIds: JSON.parse(r.run_ids) as string[],
      error: r.error,
    }));
  }

  /** Durations of the recent ticks (the last 100), oldest first, for metrics. */
  tickDurations(): readonly { kind: string; durationMs: number }[] {
    return this.#durations;
  }

  /** The freshness of every asset with a policy. */
  freshness(): AssetFreshness[] {
    return this.#freshness.statuses();
  }

  async #tick(): Promise<AutomationTickResult> {
    const started = performance.now();
    const now = this.#clock.now();
    if (!this.#loaded) {
      this.#memory = await this.#memoryStore.read();
      this.#loaded = true;
    }
    await this.#state.catchUp(this.#memory?.cursor);
    const result = await evaluateAutomationAsync(this.#defs, this.#state, {
      now,
      sliceMs: this.#options.sliceMs,
      ...(this.#memory === undefined ? {} : { previous: this.#memory }),
      maxRunsPerTick: this.#options.maxRunsPerTick,
      ...(this.#options.lookback === undefined ? {} : { lookback: this.#options.lookback }),
    });
    const runIds: string[] = [];
    const errors: string[] = [];
    const slicer = new TimeSlicer(this.#options.sliceMs);
    for (const req of result.runRequests) {
      await slicer.maybeYield();
      try {
        const submitted = await this.#submit({
          selection: req.assetKeys,
          ...(req.partitionKey === undefined ? {} : { partitionKey: req.partitionKey }),
          tags: req.tags,
          idempotencyKey: req.runKey,
        });
        runIds.push(submitted.runId);
      } catch (err) {
        errors.push(`${req.runKey}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    this.#memory = result.memory;
    await this.#memoryStore.write(result.memory, slicer);
    const evaluatedAt = now.toISOString();
    const tick = await this.#db
      .insertInto('automation_ticks')
      .values({
        evaluated_at: evaluatedAt,
        duration_ms: Math.round(performance.now() - started),
        evaluated_assets: result.evaluatedAssetCount,
        run_ids: JSON.stringify(runIds),
        error: errors.length === 0 ? null : errors.join('\n'),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await this.#recordEvaluations(
      tick.id,
      evaluatedAt,
      result.assets,
      (k) => result.conditionTree(k),
      slicer,
    );
    for (const breach of this.#freshness.breaches()) this.#onBreach(breach);
    // The duration covers the whole tick, recording its evaluations included.
    const durationMs = Math.round(performance.now() - started);
    await this.#db
      .updateTable('automation_ticks')
      .set({ duration_ms: durationMs })
      .where('id', '=', tick.id)
      .execute();
    this.#durations.push({ kind: 'automation', durationMs });
    if (this.#durations.length > 100) this.#durations.shift();
    return {
      tickId: tick.id,
      evaluatedAt,
      durationMs,
      evaluatedAssets: result.evaluatedAssetCount,
      runIds,
      evaluations: result.assets,
      errors,
      slices: result.slices,
      longestSliceMs: result.longestSliceMs,
    };
  }

  async #recordEvaluations(
    tickId: number,
    evaluatedAt: string,
    assets: readonly AssetAutomationEvaluation[],
    tree: (assetKey: string) => ConditionEvaluationNode | undefined,
    slicer: TimeSlicer,
  ): Promise<void> {
    // 5 values a row: 500 rows stay under every dialect's bound-parameter limit; fewer per
    // statement keeps each synchronous SQLite write short (the event loop runs between them).
    const BATCH = 100;
    for (let i = 0; i < assets.length; i += BATCH) {
      const values = [];
      for (const a of assets.slice(i, i + BATCH)) {
        await slicer.maybeYield();
        values.push({
          tick_id: tickId,
          evaluated_at: evaluatedAt,
          asset_key: a.assetKey,
          requested: a.requested.length,
          evaluation: encodeEvaluation(a, tree(a.assetKey)),
        });
      }
      await this.#db.insertInto('automation_evaluations').values(values).execute();
    }
  }

  #schedule(): void {
    if (this.#stopped || this.#options.intervalSeconds <= 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.tick()
        .catch(() => undefined)
        .finally(() => this.#schedule());
    }, this.#options.intervalSeconds * 1000);
    // The loop alone never keeps the process alive.
    this.#timer.unref();
  }
}
