import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Clock, systemClock } from '@cairn/core';
import { z } from 'zod';
import { loadDefinitions } from '../definitions/load-definitions.js';
import { DaemonError } from '../errors.js';
import { RunCoordinator } from '../runs/run-coordinator.js';
import { openStorage, type Storage } from '../storage/storage.js';
import { createWorkerPool } from './create-worker-pool.js';

/** Options of `startRunWorker()`. */
export interface RunWorkerOptions {
  /** Path of the definitions module (the daemons' too). */
  defs: string;
  /** The shared database: a `postgres://` URL. Default env `CAIRN_DATABASE_URL`. */
  databaseUrl?: string;
  /** The home of the IO manager's local files. Default env `CAIRN_HOME`, else `.cairn`. */
  home?: string;
  /** Worker processes (runs executing at once in this worker). Default 2. */
  workers?: number;
  /** Seconds between looks for queued runs. Default 1. */
  pollSeconds?: number;
  /** Seconds between heartbeats of the running runs. Default 5 (the daemons' `runLease.heartbeatSeconds`). */
  heartbeatSeconds?: number;
  /** Where time comes from (timestamps). Default the system clock. */
  clock?: Clock;
}

const optionsSchema = z
  .object({
    defs: z.string().min(1),
    databaseUrl: z.string().min(1).optional(),
    home: z.string().min(1).optional(),
    workers: z.number().int().min(1).max(256).optional(),
    pollSeconds: z.number().positive().optional(),
    heartbeatSeconds: z.number().positive().optional(),
    clock: z.custom<Clock>((v) => typeof (v as Clock | undefined)?.now === 'function').optional(),
  })
  .strict();

/** A running `cairn worker`. */
export interface RunWorker {
  readonly storage: Storage;
  /** Ids of the runs this worker executes now. */
  activeRunIds(): string[];
  /** Stops claiming, cancels running runs (the leader requeues them per `maxRetries`), closes. */
  stop(): Promise<void>;
}

/**
 * Starts a worker: a process that claims queued runs from the shared database (each run's
 * `run_claims` row is inserted once, so of all workers and daemons exactly one executes it), runs
 * them in its own worker pool and heartbeats them; when it dies, the leader daemon recovers its
 * runs once their heartbeats expire. It runs no scheduler, sensors or automation.
 *
 * @example
 * const worker = await startRunWorker({ defs: 'src/defs.ts', databaseUrl: 'postgres://...' });
 */
export async function startRunWorker(options: RunWorkerOptions): Promise<RunWorker> {
  const parsed = optionsSchema.safeParse(options ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'options';
    throw new DaemonError(
      'CAIRN_INVALID_OPTIONS',
      `startRunWorker(): invalid option "${where}": ${issue?.message ?? 'malformed'}. See docs/deployment.md.`,
      { option: where },
    );
  }
  const o = parsed.data as RunWorkerOptions;
  const databaseUrl = o.databaseUrl ?? (process.env.CAIRN_DATABASE_URL || undefined);
  if (databaseUrl === undefined) {
    throw new DaemonError(
      'CAIRN_INVALID_OPTIONS',
      "startRunWorker(): a worker shares the daemons' database; give --database-url (or CAIRN_DATABASE_URL).",
      { option: 'databaseUrl' },
    );
  }
  const home = resolve(o.home ?? process.env.CAIRN_HOME ?? '.cairn');
  mkdirSync(home, { recursive: true });
  const clock = o.clock ?? systemClock;
  const workers = o.workers ?? 2;
  const { defs } = await loadDefinitions(o.defs);
  const storage = await openStorage({ databaseUrl });
  const pool = createWorkerPool({ defsPath: resolve(o.defs), home, size: workers, clock });
  const coordinator = new RunCoordinator({
    storage,
    definitions: defs,
    pool,
    clock,
    scope: 'all',
    recoverOnStart: false,
    heartbeatIntervalMs: (o.heartbeatSeconds ?? 5) * 1000,
    limits: { maxConcurrentRuns: workers, tagLimits: [], pools: {} },
  });
  await coordinator.start();
  let polling: Promise<void> | undefined;
  const timer = setInterval(
    () => {
      polling ??= coordinator
        .adoptQueued()
        .catch((err) => process.emitWarning(String(err)))
        .finally(() => {
          polling = undefined;
        });
    },
    (o.pollSeconds ?? 1) * 1000,
  );
  let stopped: Promise<void> | undefined;
  return {
    storage,
    activeRunIds: () => coordinator.activeRunIds,
    stop: () => {
      stopped ??= (async () => {
        clearInterval(timer);
        await polling;
        try {
          await coordinator.stop();
          await pool.close();
        } finally {
          await storage.close();
        }
      })();
      return stopped;
    },
  };
}
