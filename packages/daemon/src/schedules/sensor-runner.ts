import {
  type Clock,
  type Definitions,
  evaluateSensor,
  isSensorDefinition,
  type MaterializationRecord,
  type RunStatusEvent,
  type SensorDefinition,
} from '@cairn/core';
import { DaemonError } from '../errors.js';
import type { RunRequest, SubmitResult } from '../runs/run-request.js';
import { toVersioned } from '../staleness/to-versioned.js';
import type { StoredMaterializationEvent, StoredRunFinishedEvent } from '../storage/index.js';
import type { Storage } from '../storage/storage.js';
import type { InstigatorStatus, InstigatorStore, TickRecord } from './instigator-store.js';

/** A sensor as `daemon.sensors.list()` reports it. */
export type SensorState = {
  name: string;
  type: SensorDefinition['type'];
  intervalSeconds: number;
  status: InstigatorStatus;
  /** The user cursor the sensor returned last. */
  cursor: string | null;
  /** When it is evaluated next (ISO), or null when stopped. */
  nextTickAt: string | null;
  lastTick: TickRecord | null;
};

/** What the sensors loop needs from the daemon. */
export interface SensorRunnerOptions {
  defs: Definitions;
  store: InstigatorStore;
  storage: Storage;
  clock: Clock;
  submit: (request: RunRequest) => Promise<SubmitResult>;
  addDynamicPartitions: (name: string, keys: readonly string[]) => Promise<void>;
  removeDynamicPartitions: (name: string, keys: readonly string[]) => Promise<void>;
}

/** Most events fed to one asset or run-status sensor evaluation; the rest come next interval. */
const MAX_EVENTS = 1000;

/**
 * The sensors loop: evaluates each running sensor whose interval elapsed with core's
 * `evaluateSensor`, feeding asset sensors the materializations and run-status sensors the finished
 * runs since its event cursor; applies dynamic partition requests, submits run requests whose run
 * key the sensor never submitted before, persists both cursors and records the tick.
 */
export class SensorRunner {
  readonly #o: SensorRunnerOptions;
  readonly #sensors: Map<string, SensorDefinition>;

  constructor(options: SensorRunnerOptions) {
    this.#o = options;
    this.#sensors = new Map(
      options.defs.sensors.filter(isSensorDefinition).map((s) => [s.name, s]),
    );
  }

  /** Evaluates every running sensor whose interval elapsed; returns the ticks recorded. */
  async tick(): Promise<TickRecord[]> {
    const out: TickRecord[] = [];
    for (const s of this.#sensors.values()) {
      const t = await this.#tickOne(s, false);
      if (t !== undefined) out.push(t);
    }
    return out;
  }

  /** Evaluates one sensor now, whatever its interval (tests, "test sensor" in the UI). */
  async evaluate(name: string): Promise<TickRecord | undefined> {
    return this.#tickOne(this.#sensor(name), true);
  }

  /** Every sensor with its state. */
  async list(): Promise<SensorState[]> {
    const out: SensorState[] = [];
    for (const s of this.#sensors.values()) out.push(await this.#describe(s));
    return out;
  }

  /** One sensor with its state; throws CAIRN_UNKNOWN_SENSOR. */
  async get(name: string): Promise<SensorState> {
    return this.#describe(this.#sensor(name));
  }

  /** Starts a sensor (persisted). */
  async start(name: string): Promise<SensorState> {
    const s = this.#sensor(name);
    const at = this.#o.clock.now().toISOString();
    await this.#o.store.ensure('sensor', name, { status: 'running', cursor: null }, at);
    await this.#o.store.update('sensor', name, { status: 'running' }, at);
    return this.#describe(s);
  }

  /** Stops a sensor (persisted). */
  async stop(name: string): Promise<SensorState> {
    const s = this.#sensor(name);
    const at = this.#o.clock.now().toISOString();
    await this.#o.store.ensure('sensor', name, { status: 'stopped', cursor: null }, at);
    await this.#o.store.update('sensor', name, { status: 'stopped' }, at);
    return this.#describe(s);
  }

  /** A sensor's ticks, newest first. */
  async ticks(
    name: string,
    options: { limit?: number; before?: number | string } = {},
  ): Promise<TickRecord[]> {
    this.#sensor(name);
    return this.#o.store.ticks('sensor', name, options);
  }

  async #tickOne(s: SensorDefinition, force: boolean): Promise<TickRecord | undefined> {
    const { store, storage, clock } = this.#o;
    const now = clock.now();
    const at = now.toISOString();
    const state = await store.ensure('sensor', s.name, { status: 'running', cursor: null }, at);
    if (state.status !== 'running' && !force) return undefined;
    const last = state.lastEvaluatedAt === null ? undefined : new Date(state.lastEvaluatedAt);
    if (!force && last !== undefined && now.getTime() - last.getTime() < s.intervalSeconds * 1000)
      return undefined;
    const id = await store.claim('sensor', s.name, at, at);
    if (id === undefined) return undefined; // Another daemon evaluated it at this instant.

    // Events since the event cursor; the first evaluation starts at the end of the log.
    let eventCursor = state.eventCursor ?? (await storage.getLastEventId());
    const materializations: MaterializationRecord[] = [];
    const runs: RunStatusEvent[] = [];
    if (s.type !== 'standard' && state.eventCursor !== null) {
      const page = await storage.getEventsAfter(eventCursor, {
        limit: MAX_EVENTS,
        types: s.type === 'asset' ? ['materialization'] : ['run_finished'],
      });
      for (const r of page.records) {
        eventCursor = r.id;
        if (r.event.type === 'materialization') {
          materializations.push(toVersioned(r.event as StoredMaterializationEvent));
        } else {
          const e = r.event as StoredRunFinishedEvent;
          if (e.status === 'canceled') continue;
          const steps = await storage.getSteps(e.runId);
          const run = await storage.getRun(e.runId);
          runs.push({
            runId: e.runId,
            status: e.status,
            assetKeys: [...new Set(steps.flatMap((st) => st.assetKeys))],
            partitionKey: run?.partitionKeys?.[0],
            ...(e.error === undefined ? {} : { error: e.error.message }),
            finishedAt: new Date(e.timestamp),
          });
        }
      }
    }
    try {
      const ev = await evaluateSensor(this.#o.defs, s, {
        now,
        ...(state.cursor === null ? {} : { cursor: state.cursor }),
        ...(last === undefined ? {} : { lastEvaluatedAt: last }),
        materializations,
        runs,
        dynamic: storage,
      });
      for (const [name, keys] of Object.entries(ev.dynamicPartitions.add))
        await this.#o.addDynamicPartitions(name, keys);
      for (const [name, keys] of Object.entries(ev.dynamicPartitions.remove))
        await this.#o.removeDynamicPartitions(name, keys);
      const runIds: string[] = [];
      const duplicates: string[] = [];
      for (const [i, req] of ev.runRequests.entries()) {
        // A run key is submitted at most once per sensor, ever. A key claimed with no run recorded
        // is one whose claimer died before its submission was recorded: the cursors did not move,
        // so the sensor asks again, and the idempotent submission finishes the job exactly once.
        if (
          req.runKey !== undefined &&
          !(await store.claimRunKey(s.name, req.runKey, at)) &&
          (await store.runKeyRun(s.name, req.runKey)) !== null
        ) {
          duplicates.push(req.runKey);
          continue;
        }
        const { runId } = await this.#o.submit({
          selection: req.assetKeys,
          ...(req.partitionKey === undefined ? {} : { partitionKey: req.partitionKey }),
          tags: { ...req.tags, 'cairn/sensor': s.name },
          idempotencyKey: `sensor:${s.name}:${req.runKey ?? `${at}:${i}`}`,
        });
        if (req.runKey !== undefined) await store.setRunKeyRun(s.name, req.runKey, runId);
        runIds.push(runId);
      }
      const cursor = ev.cursor ?? null;
      await store.update('sensor', s.name, { cursor, eventCursor, lastEvaluatedAt: at }, at);
      const reason =
        runIds.length > 0
          ? null
          : (ev.skipReason ??
            (duplicates.length > 0
              ? `run key(s) ${duplicates.join(', ')} were already submitted`
              : 'no run requested'));
      const status = runIds.length > 0 ? 'requested' : 'skipped';
      await store.finish(id, { status, runIds, ...(reason === null ? {} : { reason }), cursor });
      return { id, tickKey: at, status, runIds, reason, error: null, cursor, createdAt: at };
    } catch (err) {
      // The cursors stay where they were: the same events are fed again next interval.
      const error = err instanceof Error ? err.message : String(err);
      await store.update('sensor', s.name, { lastEvaluatedAt: at }, at);
      await store.finish(id, { status: 'failed', error, cursor: state.cursor });
      return {
        id,
        tickKey: at,
        status: 'failed',
        runIds: [],
        reason: null,
        error,
        cursor: state.cursor,
        createdAt: at,
      };
    }
  }

  async #describe(s: SensorDefinition): Promise<SensorState> {
    const state = await this.#o.store.get('sensor', s.name);
    const status = state?.status ?? 'running';
    const [lastTick] = await this.#o.store.ticks('sensor', s.name, { limit: 1 });
    const lastAt =
      state?.lastEvaluatedAt == null ? this.#o.clock.now() : new Date(state.lastEvaluatedAt);
    return {
      name: s.name,
      type: s.type,
      intervalSeconds: s.intervalSeconds,
      status,
      cursor: state?.cursor ?? null,
      nextTickAt:
        status === 'running'
          ? new Date(
              lastAt.getTime() + (state?.lastEvaluatedAt == null ? 0 : s.intervalSeconds * 1000),
            ).toISOString()
          : null,
      lastTick: lastTick ?? null,
    };
  }

  #sensor(name: string): SensorDefinition {
    const s = this.#sensors.get(name);
    if (s === undefined) {
      throw new DaemonError(
        'CAIRN_UNKNOWN_SENSOR',
        `No sensor "${name}" in the loaded definitions (known: ${[...this.#sensors.keys()].join(', ') || 'none'}).`,
        { sensor: name },
      );
    }
    return s;
  }
}
