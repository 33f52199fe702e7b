import {
  type Clock,
  cronTicks,
  type Definitions,
  dueScheduleTicks,
  isScheduleDefinition,
  runRequestForTick,
  type ScheduleDefinition,
} from '@cairn/core';
import { DaemonError } from '../errors.js';
import type { RunRequest, SubmitResult } from '../runs/run-request.js';
import type { InstigatorStatus, InstigatorStore, TickRecord } from './instigator-store.js';

/** A schedule as `daemon.schedules.list()` reports it. */
export type ScheduleState = {
  name: string;
  cron: string;
  timezone: string;
  status: InstigatorStatus;
  /** The next tick after now (ISO), or null when stopped. */
  nextTickAt: string | null;
  lastTick: TickRecord | null;
};

/**
 * The schedules loop: for each running schedule, the ticks due since the last one handled
 * (core's `dueScheduleTicks`: DST-correct, catch-up per the definition), each claimed as a
 * UNIQUE tick row before its run is submitted (idempotency key = the tick's run key), so a tick
 * fires once even when two daemons share the database; every tick's outcome is recorded.
 *
 * The claim and the submission are two writes (the run goes through the event log's writer), so a
 * process can die between them. The submission is idempotent (its key is the tick's run key), so
 * a tick found still `claimed` after `resumeClaimedAfterMs` is fired again by whoever leads next:
 * if the run was submitted before the crash, the same run is returned and no second one is made.
 */
export class ScheduleRunner {
  readonly #defs: Definitions;
  readonly #store: InstigatorStore;
  readonly #clock: Clock;
  readonly #submit: (request: RunRequest) => Promise<SubmitResult>;
  readonly #schedules: Map<string, ScheduleDefinition>;
  readonly #resumeAfterMs: number;

  constructor(options: {
    defs: Definitions;
    store: InstigatorStore;
    clock: Clock;
    submit: (request: RunRequest) => Promise<SubmitResult>;
    /**
     * How long a tick may stay claimed without an outcome before it is taken for abandoned (its
     * claimer died) and fired again. Default 30 s: far longer than a claim-to-submit takes.
     */
    resumeClaimedAfterMs?: number;
  }) {
    this.#resumeAfterMs = options.resumeClaimedAfterMs ?? 30_000;
    this.#defs = options.defs;
    this.#store = options.store;
    this.#clock = options.clock;
    this.#submit = options.submit;
    this.#schedules = new Map(
      options.defs.schedules.filter(isScheduleDefinition).map((s) => [s.name, s]),
    );
  }

  /** Handles every due tick of every running schedule now; returns the ticks this call recorded. */
  async tick(): Promise<TickRecord[]> {
    const recorded: TickRecord[] = [];
    for (const s of this.#schedules.values()) recorded.push(...(await this.#tickOne(s)));
    return recorded;
  }

  /** Every schedule with its state. */
  async list(): Promise<ScheduleState[]> {
    const out: ScheduleState[] = [];
    for (const s of this.#schedules.values()) out.push(await this.#describe(s));
    return out;
  }

  /** One schedule with its state; throws CAIRN_UNKNOWN_SCHEDULE. */
  async get(name: string): Promise<ScheduleState> {
    return this.#describe(this.#schedule(name));
  }

  /** Starts a schedule: it fires from the next tick after now (missed ticks are not fired). */
  async start(name: string): Promise<ScheduleState> {
    const s = this.#schedule(name);
    const at = this.#clock.now().toISOString();
    const state = await this.#store.ensure('schedule', name, { status: 'running', cursor: at }, at);
    if (state.status !== 'running')
      await this.#store.update('schedule', name, { status: 'running', cursor: at }, at);
    return this.#describe(s);
  }

  /** Stops a schedule (persisted: it stays stopped across restarts). */
  async stop(name: string): Promise<ScheduleState> {
    const s = this.#schedule(name);
    const at = this.#clock.now().toISOString();
    await this.#store.ensure('schedule', name, { status: 'stopped', cursor: at }, at);
    await this.#store.update('schedule', name, { status: 'stopped' }, at);
    return this.#describe(s);
  }

  /** A schedule's ticks, newest first. */
  async ticks(
    name: string,
    options: { limit?: number; before?: number | string } = {},
  ): Promise<TickRecord[]> {
    this.#schedule(name);
    return this.#store.ticks('schedule', name, options);
  }

  async #tickOne(s: ScheduleDefinition): Promise<TickRecord[]> {
    const now = this.#clock.now();
    const at = now.toISOString();
    // A schedule seen for the first time starts running from now: history is not caught up.
    const state = await this.#store.ensure(
      'schedule',
      s.name,
      { status: 'running', cursor: at },
      at,
    );
    if (state.status !== 'running') return [];
    const after = new Date(state.cursor ?? at);
    if (after >= now) return [];
    const { due, skipped } = dueScheduleTicks(s, { after, now });
    const recorded: TickRecord[] = [];
    for (const t of skipped) {
      const reason = `missed tick not caught up (catch-up ${s.catchUpMaxTicks === 0 ? 'is off' : `is capped at ${s.catchUpMaxTicks} ticks`})`;
      const id = await this.#store.claim('schedule', s.name, t.toISOString(), at, reason);
      if (id === undefined) continue;
      recorded.push(record(id, t, 'skipped', [], reason, null, at));
    }
    const abandoned = await this.#store.unfinishedTicks(
      'schedule',
      s.name,
      new Date(now.getTime() - this.#resumeAfterMs).toISOString(),
    );
    for (const u of abandoned) recorded.push(await this.#fire(s, u.id, new Date(u.tickKey), at));
    for (const t of due) {
      const id = await this.#store.claim('schedule', s.name, t.toISOString(), at);
      if (id === undefined) continue; // Another daemon fired it.
      recorded.push(await this.#fire(s, id, t, at));
    }
    const last = due[due.length - 1] ?? skipped[skipped.length - 1];
    if (last !== undefined) {
      // Only forward: a second daemon that read an older cursor must not move it back.
      const current = await this.#store.get('schedule', s.name);
      if (current?.cursor == null || new Date(current.cursor) < last)
        await this.#store.update('schedule', s.name, { cursor: last.toISOString() }, at);
    }
    return recorded;
  }

  /** Submits the run of claimed tick `id` (instant `t`) and records the outcome. */
  async #fire(s: ScheduleDefinition, id: number, t: Date, at: string): Promise<TickRecord> {
    try {
      const result = runRequestForTick(this.#defs, s, t);
      const req = result.runRequest;
      if (req === undefined) {
        const reason = result.skipReason ?? 'nothing to request';
        await this.#store.finish(id, { status: 'skipped', reason });
        return record(id, t, 'skipped', [], reason, null, at);
      }
      const { runId } = await this.#submit({
        selection: req.assetKeys,
        ...(req.partitionKey === undefined ? {} : { partitionKey: req.partitionKey }),
        tags: req.tags,
        idempotencyKey: `schedule:${req.runKey}`,
      });
      await this.#store.finish(id, { status: 'requested', runIds: [runId] });
      return record(id, t, 'requested', [runId], null, null, at);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      await this.#store.finish(id, { status: 'failed', error });
      return record(id, t, 'failed', [], null, error, at);
    }
  }

  async #describe(s: ScheduleDefinition): Promise<ScheduleState> {
    const state = await this.#store.get('schedule', s.name);
    const status = state?.status ?? 'running';
    const [lastTick] = await this.#store.ticks('schedule', s.name, { limit: 1 });
    const next =
      status === 'running'
        ? cronTicks(s.cron, s.timezone).firstAfter(this.#clock.now())
        : undefined;
    return {
      name: s.name,
      cron: s.cron,
      timezone: s.timezone,
      status,
      nextTickAt: next?.toISOString() ?? null,
      lastTick: lastTick ?? null,
    };
  }

  #schedule(name: string): ScheduleDefinition {
    const s = this.#schedules.get(name);
    if (s === undefined) {
      throw new DaemonError(
        'CAIRN_UNKNOWN_SCHEDULE',
        `No schedule "${name}" in the loaded definitions (known: ${[...this.#schedules.keys()].join(', ') || 'none'}).`,
        { schedule: name },
      );
    }
    return s;
  }
}

function record(
  id: number,
  tick: Date,
  status: TickRecord['status'],
  runIds: string[],
  reason: string | null,
  error: string | null,
  createdAt: string,
): TickRecord {
  return {
    id,
    tickKey: tick.toISOString(),
    status,
    runIds,
    reason,
    error,
    cursor: null,
    createdAt,
  };
}
