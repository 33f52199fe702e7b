import type { Clock, Definitions } from '@cairn/core';
import { z } from 'zod';
import type { AlertDeliveryOptions, AlertTarget } from './alerts/alert-dispatcher.js';
import type { AutomationOptions } from './automation/automation-ticker.js';
import { DaemonError } from './errors.js';
import type { TagLimit } from './runs/concurrency-limits.js';
import type { WorkerPool } from './workers/worker-pool-types.js';

/** Options of `createDaemon()`. Give `defs` (a module path) or `definitions` (an object). */
export interface DaemonOptions {
  /** Path of the definitions module (TypeScript or JavaScript); workers load it too. */
  defs?: string;
  /** The definitions object itself (tests, embedding); needs `workerPool` unless `defs` is given too. */
  definitions?: Definitions;
  /** The Cairn home: `<home>/cairn.db` and the IO manager's `<home>/storage`. Default env `CAIRN_HOME`, else `.cairn`. */
  home?: string;
  /**
   * A `postgres://` URL: keep the daemon's state in Postgres instead of `<home>/cairn.db`
   * (see docs/deployment.md). Default env `CAIRN_DATABASE_URL`, else SQLite in the home.
   */
  databaseUrl?: string;
  /** Where time comes from (timestamps). Default the system clock. */
  clock?: Clock;
  /** Worker processes in the pool. Default 2. */
  workers?: number;
  /** Runs executing at once. Default `workers`. */
  maxConcurrentRuns?: number;
  /** Limits on runs by tag. Default none. */
  tagLimits?: TagLimit[];
  /** Slots per named pool (assets declare `pool`); pools not listed are unlimited. Default none. */
  pools?: Record<string, number>;
  /**
   * Most runs executing at once across every daemon and `cairn worker` sharing the database.
   * The leader's `globalMaxConcurrentRuns`, `tagLimits` and `pools` hold for the whole fleet
   * (see docs/deployment.md). Default: no limit beyond each process's `maxConcurrentRuns`.
   */
  globalMaxConcurrentRuns?: number;
  /**
   * False: this daemon never executes runs (it submits, leads the loops, recovers and serves the
   * API; `cairn worker` processes execute). Default true.
   */
  dispatch?: boolean;
  /** Memory limit of each worker in MB. Default: the worker pool's. */
  memoryLimitMb?: number;
  /** Grace period between a cancel's abort signal and the hard kill, in ms. Default: the worker pool's. */
  killGraceMs?: number;
  /** A worker pool to use instead of creating one (closed by `stop()`). Default: a pool of `workers` processes. */
  workerPool?: WorkerPool;
  /**
   * `all`: recover interrupted runs and dispatch every queued run (a daemon). `own`: only runs
   * submitted through this instance, no recovery (a one-shot `cairn materialize`). Default `all`.
   */
  scope?: 'all' | 'own';
  /** Start dispatching (after recovery) before returning. Default true. */
  autoStart?: boolean;
  /** The automation tick loop (interval, runs per tick, look-back). Default: a tick every 30 s. */
  automation?: AutomationOptions;
  /** Seconds between passes of the schedules and sensors loop; 0 turns it off. Default 5. */
  schedulerIntervalSeconds?: number;
  /**
   * The leader lease: of the daemons sharing one database, only the holder runs the scheduler,
   * sensors, automation and backfill loops (see docs/deployment.md). Default 15 s, renewed every 5 s.
   */
  leaderLease?: { ttlSeconds?: number; renewSeconds?: number };
  /**
   * Run heartbeats: every process executing runs heartbeats them every `heartbeatSeconds`; the
   * leader fails (or requeues per `maxRetries`) started runs silent for `expireSeconds`.
   * Default 5 and 30.
   */
  runLease?: { heartbeatSeconds?: number; expireSeconds?: number };
  /**
   * Webhooks alerted on run failure, check failure or freshness breach. Default: those in env
   * `CAIRN_ALERT_WEBHOOKS` (see docs/daemon/alerts.md), else none.
   */
  alerts?: AlertTarget[];
  /** Retries and timeout of alert deliveries. Default 5 attempts, backoff from 1 s, 10 s timeout. */
  alertDelivery?: AlertDeliveryOptions;
}

const positiveInt = z.number().int().min(1);

const optionsSchema = z
  .object({
    defs: z.string().min(1).optional(),
    definitions: z
      .custom<Definitions>(
        (v) => typeof v === 'object' && v !== null && (v as Definitions).kind === 'definitions',
        'must be what definitions() returns',
      )
      .optional(),
    home: z.string().min(1).optional(),
    databaseUrl: z.string().min(1).optional(),
    clock: z
      .custom<Clock>(
        (v) => typeof (v as Clock | undefined)?.now === 'function',
        'must have now() and sleep()',
      )
      .optional(),
    workers: positiveInt.max(256).optional(),
    maxConcurrentRuns: positiveInt.optional(),
    tagLimits: z
      .array(
        z
          .object({
            key: z.string().min(1),
            value: z.string().optional(),
            limit: z.number().int().min(0),
          })
          .strict(),
      )
      .optional(),
    pools: z.record(z.string().min(1), z.number().int().min(0)).optional(),
    globalMaxConcurrentRuns: z.number().int().min(0).optional(),
    dispatch: z.boolean().optional(),
    memoryLimitMb: positiveInt.optional(),
    killGraceMs: z.number().int().min(0).optional(),
    workerPool: z
      .custom<WorkerPool>(
        (v) => typeof (v as WorkerPool | undefined)?.execute === 'function',
        'must implement WorkerPool',
      )
      .optional(),
    scope: z.enum(['all', 'own']).optional(),
    autoStart: z.boolean().optional(),
    automation: z
      .object({
        intervalSeconds: z.number().min(0).optional(),
        maxRunsPerTick: z.number().int().min(0).optional(),
        sliceMs: z.number().min(0).optional(),
        lookback: z.union([z.number().min(0), z.object({}).passthrough()]).optional(),
      })
      .strict()
      .optional(),
    schedulerIntervalSeconds: z.number().min(0).optional(),
    leaderLease: z
      .object({
        ttlSeconds: z.number().positive().optional(),
        renewSeconds: z.number().positive().optional(),
      })
      .strict()
      .optional(),
    runLease: z
      .object({
        heartbeatSeconds: z.number().positive().optional(),
        expireSeconds: z.number().positive().optional(),
      })
      .strict()
      .optional(),
    alerts: z
      .array(
        z
          .object({
            url: z.url(),
            events: z
              .array(z.enum(['run_failure', 'check_failure', 'freshness_breach']))
              .optional(),
          })
          .strict(),
      )
      .optional(),
    alertDelivery: z
      .object({
        maxAttempts: positiveInt.max(100).optional(),
        baseDelayMs: z.number().int().min(0).optional(),
        timeoutMs: positiveInt.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

function invalidOptions(error: z.ZodError): DaemonError {
  const issue = error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? 'options' : issue.path.join('.');
  return new DaemonError(
    'CAIRN_INVALID_OPTIONS',
    `createDaemon(): invalid option "${where}": ${issue?.message ?? 'malformed'}. Fix it (see docs/daemon/runs.md).`,
    { option: where, issues: error.issues },
  );
}

/** Validates `createDaemon()`'s options; throws CAIRN_INVALID_OPTIONS naming the bad one. */
export function parseDaemonOptions(options: DaemonOptions): DaemonOptions {
  const parsed = optionsSchema.safeParse(options ?? {});
  if (!parsed.success) throw invalidOptions(parsed.error);
  const o = parsed.data as DaemonOptions;
  if (o.defs === undefined && o.definitions === undefined) {
    throw new DaemonError(
      'CAIRN_INVALID_OPTIONS',
      'createDaemon(): give "defs" (the definitions module path) or "definitions" (the object).',
      { option: 'defs' },
    );
  }
  if (o.defs === undefined && o.workerPool === undefined) {
    throw new DaemonError(
      'CAIRN_INVALID_OPTIONS',
      'createDaemon(): workers load the definitions from a module, so with "definitions" alone give "defs" (its module path) or a "workerPool".',
      { option: 'defs' },
    );
  }
  return o;
}
