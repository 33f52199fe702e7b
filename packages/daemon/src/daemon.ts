import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Definitions, systemClock } from '@cairn/core';
import { alertTargetsFromEnv } from './alerts/alert-config.js';
import type { AlertDispatcher } from './alerts/alert-dispatcher.js';
import { AutomationServices } from './automation/automation-services.js';
import type { AutomationTicker } from './automation/automation-ticker.js';
import { BackfillManager } from './backfills/backfill-manager.js';
import { type DaemonOptions, parseDaemonOptions } from './daemon-options.js';
import { loadDefinitions } from './definitions/load-definitions.js';
import { OrderedEventFeed } from './events/ordered-event-feed.js';
import { ExpiredRunReaper } from './leases/expired-run-reaper.js';
import { LeaderLease } from './leases/leader-lease.js';
import { AssetOperations, type AssetReport } from './runs/asset-operations.js';
import type { EventListener } from './runs/event-hub.js';
import { noDispatchPool } from './runs/no-dispatch-pool.js';
import { RunCoordinator } from './runs/run-coordinator.js';
import type { ReexecuteOptions, StopOptions } from './runs/run-coordinator-options.js';
import type { RunRequest, SubmitResult } from './runs/run-request.js';
import type { ScheduleRunner } from './schedules/schedule-runner.js';
import type { SensorRunner } from './schedules/sensor-runner.js';
import type { StalenessService } from './staleness/staleness-service.js';
import type { EventRecord, RunRecord } from './storage/index.js';
import { openStorage, type Storage } from './storage/storage.js';
import { createWorkerPool } from './workers/create-worker-pool.js';
import type { WorkerPool } from './workers/worker-pool-types.js';

export type { DaemonOptions } from './daemon-options.js';

/** A running daemon: the run queue over one storage, its worker pool and its definitions. */
export interface Daemon {
  /** The resolved home directory. */
  readonly home: string;
  readonly storage: Storage;
  readonly definitions: Definitions;
  /** Recovers and starts dispatching (done by `createDaemon` unless `autoStart: false`). Idempotent. */
  start(): Promise<void>;
  /** Stops dispatching, cancels (or waits for) running runs, closes the pool, flushes and closes storage. */
  stop(options?: StopOptions): Promise<void>;
  /** Plans and queues a run. */
  submit(request: RunRequest): Promise<SubmitResult>;
  /** Cancels a queued or running run. */
  cancel(runId: string, reason?: string): Promise<boolean>;
  /** Re-executes a finished run (from failure by default). */
  reexecute(runId: string, options?: ReexecuteOptions): Promise<SubmitResult>;
  /** Resolves once the run has ended. */
  waitForRun(runId: string): Promise<RunRecord>;
  /** Records `asset_wiped` for an asset or some of its partitions. */
  wipe(assetKey: string, partitionKeys?: readonly string[]): Promise<number>;
  /** Records a materialization reported from outside Cairn. */
  reportMaterialization(report: AssetReport): Promise<number>;
  /** Records an observation reported from outside Cairn. */
  reportObservation(report: AssetReport): Promise<number>;
  /** Adds keys to a dynamic partitions definition. */
  addDynamicPartitions(name: string, keys: readonly string[]): Promise<void>;
  /** Removes keys from a dynamic partitions definition. */
  removeDynamicPartitions(name: string, keys: readonly string[]): Promise<void>;
  /** Subscribes to every committed event; returns the unsubscribe function. */
  onEvent(listener: EventListener): () => void;
  /** Backfills: create, cancel, resume, retry failed, progress (their loop runs while the daemon does). */
  readonly backfills: BackfillManager;
  /** Schedules: list, start/stop (persisted), ticks; `tick()` runs one pass now. */
  readonly schedules: ScheduleRunner;
  /** Sensors: list, start/stop (persisted), ticks, cursors; `tick()` runs one pass now. */
  readonly sensors: SensorRunner;
  /** Automation: `tick()` now, stored `evaluations()` with reasons, `ticks()`, `freshness()`. */
  readonly automation: AutomationTicker;
  /** Staleness per partition: `summary`, `partitions`, `explain`. */
  readonly staleness: StalenessService;
  /** The alert queue (deliveries and their outcomes). */
  readonly alerts: AlertDispatcher;
  /** True while this daemon holds the leader lease and runs the loops (never with scope `own`). */
  isLeader(): boolean;
}

/**
 * Opens `<home>/cairn.db`, loads the definitions (this process only plans with them; user code
 * runs in the workers), creates the worker pool, recovers interrupted runs and starts the
 * dispatch loop.
 *
 * @example
 * const daemon = await createDaemon({ defs: 'src/defs.ts', home: '.cairn', workers: 4 });
 * const { runId } = await daemon.submit({ selection: 'shop/*', partitionKey: '2024-05-01' });
 * const run = await daemon.waitForRun(runId);
 * await daemon.stop();
 */
export async function createDaemon(options: DaemonOptions): Promise<Daemon> {
  const o = parseDaemonOptions(options);
  const home = resolve(o.home ?? process.env.CAIRN_HOME ?? '.cairn');
  const clock = o.clock ?? systemClock;
  const workers = o.workers ?? 2;
  mkdirSync(home, { recursive: true });
  const definitions = o.definitions ?? (await loadDefinitions(o.defs!)).defs;
  const alertTargets = o.alerts ?? alertTargetsFromEnv(process.env);
  const databaseUrl = o.databaseUrl ?? (process.env.CAIRN_DATABASE_URL || undefined);
  const storage = await openStorage(
    databaseUrl === undefined ? { path: join(home, 'cairn.db') } : { databaseUrl },
  );
  let pool: WorkerPool;
  try {
    pool =
      o.workerPool ??
      // A daemon that never executes runs needs no worker processes.
      (o.dispatch === false ? noDispatchPool() : undefined) ??
      createWorkerPool({
        defsPath: resolve(o.defs!),
        home,
        size: workers,
        clock,
        ...(o.memoryLimitMb === undefined ? {} : { memoryLimitMb: o.memoryLimitMb }),
        ...(o.killGraceMs === undefined ? {} : { killGraceMs: o.killGraceMs }),
      });
  } catch (err) {
    await storage.close();
    throw err;
  }
  const coordinator = new RunCoordinator({
    storage,
    definitions,
    pool,
    clock,
    scope: o.scope ?? 'all',
    heartbeatIntervalMs: (o.runLease?.heartbeatSeconds ?? 5) * 1000,
    ...(o.dispatch === undefined ? {} : { dispatch: o.dispatch }),
    ...(o.globalMaxConcurrentRuns === undefined
      ? {}
      : { globalMaxConcurrentRuns: o.globalMaxConcurrentRuns }),
    limits: {
      maxConcurrentRuns: o.maxConcurrentRuns ?? workers,
      tagLimits: o.tagLimits ?? [],
      pools: o.pools ?? {},
    },
  });
  const assets = new AssetOperations({
    defs: definitions,
    storage,
    clock,
    indexer: coordinator.indexer,
    append: (events) => coordinator.append(events),
  });
  const backfills = new BackfillManager({ storage, definitions, runs: coordinator, clock });
  // Every committed event in id order, this process's and other processes' (workers, other
  // daemons, `cairn materialize`), for the state, the backfills, the API's caches and streams.
  const startEventId = await storage.getLastEventId();
  const feed = new OrderedEventFeed({
    storage,
    after: startEventId,
    onError: (err) => process.emitWarning(String(err)),
  });
  coordinator.onEvent((record) => feed.offer(record));
  // A run of a backfill ended: its next chunk may go now rather than at the next interval.
  feed.subscribe(({ event }) => {
    if (event.type === 'run_finished' || event.type === 'run_canceled') backfills.wake();
  });
  // Subscribe before loading so no event committed meanwhile is missed (the state skips the
  // ones it loaded by event id).
  let services: AutomationServices | undefined;
  const early: EventRecord[] = [];
  feed.subscribe((record) => {
    if (services === undefined) early.push(record);
    else services.onEvent(record);
  });
  try {
    services = await AutomationServices.create(
      {
        defs: definitions,
        storage,
        clock,
        submit: (request) => coordinator.submit(request),
        addDynamicPartitions: (name, keys) => assets.addDynamicPartitions(name, keys),
        removeDynamicPartitions: (name, keys) => assets.removeDynamicPartitions(name, keys),
        onError: (err) => process.emitWarning(String(err)),
      },
      {
        ...(o.automation === undefined ? {} : { automation: o.automation }),
        ...(o.schedulerIntervalSeconds === undefined
          ? {}
          : { schedulerIntervalSeconds: o.schedulerIntervalSeconds }),
        ...(alertTargets === undefined ? {} : { alerts: alertTargets }),
        ...(o.alertDelivery === undefined ? {} : { alertDelivery: o.alertDelivery }),
      },
    );
  } catch (err) {
    await pool.close();
    await storage.close();
    throw err;
  }
  for (const record of early.splice(0)) services.onEvent(record);
  const auto = services;
  const reaper = new ExpiredRunReaper({
    coordinator,
    intervalMs: (o.runLease?.heartbeatSeconds ?? 5) * 1000,
    expireMs: (o.runLease?.expireSeconds ?? 30) * 1000,
    onError: (err) => process.emitWarning(String(err)),
  });
  // Only the leader runs the loops; dispatch stays on every daemon (claims are exactly-once).
  const lease = new LeaderLease({
    storage,
    ...(o.leaderLease?.ttlSeconds === undefined ? {} : { ttlSeconds: o.leaderLease.ttlSeconds }),
    ...(o.leaderLease?.renewSeconds === undefined
      ? {}
      : { renewSeconds: o.leaderLease.renewSeconds }),
    onAcquired: async () => {
      // The old leader may have died with runs queued or started: pick them up.
      await coordinator.adopt().catch((err) => process.emitWarning(String(err)));
      await auto.alerts.resume().catch((err) => process.emitWarning(String(err)));
      backfills.start();
      auto.start();
      reaper.start();
    },
    onLost: async () => {
      await reaper.stop();
      await auto.stopLoops();
      await backfills.stop();
    },
  });
  // Every daemon sees every event; only the leader sends alerts (read from the log after a stored
  // cursor), so each is sent once and none is lost in a hand-over.
  auto.alerts.onlyWhen(() => lease.isLeader);
  auto.alerts.startAfter(startEventId);
  let stopped: Promise<void> | undefined;
  const daemon: Daemon = {
    home,
    storage,
    definitions,
    backfills,
    schedules: auto.schedules,
    sensors: auto.sensors,
    automation: auto.automation,
    staleness: auto.staleness,
    alerts: auto.alerts,
    isLeader: () => lease.isLeader,
    start: async () => {
      feed.start();
      await coordinator.start();
      // A one-shot `cairn materialize` (scope own) must not fire schedules or automation.
      if ((o.scope ?? 'all') === 'all') await lease.start();
      else backfills.start();
    },
    stop: (stopOptions) => {
      stopped ??= (async () => {
        try {
          await lease.stop();
          await auto.stop();
          await backfills.stop();
          await coordinator.stop(stopOptions);
          await pool.close();
          await feed.close();
        } finally {
          await storage.close();
        }
      })();
      return stopped;
    },
    submit: (request) => coordinator.submit(request),
    cancel: (runId, reason) => coordinator.cancel(runId, reason),
    reexecute: (runId, reexecuteOptions) => coordinator.reexecute(runId, reexecuteOptions),
    waitForRun: (runId) => coordinator.waitForRun(runId),
    wipe: (assetKey, partitionKeys) => assets.wipe(assetKey, partitionKeys),
    reportMaterialization: (report) => assets.reportMaterialization(report),
    reportObservation: (report) => assets.reportObservation(report),
    addDynamicPartitions: (name, keys) => assets.addDynamicPartitions(name, keys),
    removeDynamicPartitions: (name, keys) => assets.removeDynamicPartitions(name, keys),
    onEvent: (listener) => feed.subscribe(listener),
  };
  if (o.autoStart !== false) {
    try {
      await daemon.start();
    } catch (err) {
      await daemon.stop();
      throw err;
    }
  }
  return daemon;
}
