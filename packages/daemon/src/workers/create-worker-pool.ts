import { resolve } from 'node:path';
import {
  type Clock,
  type RunEvent,
  type SerializedError,
  serializeError,
  systemClock,
} from '@cairn/core';
import { DaemonError } from '../errors.js';
import { RunSession } from './run-session.js';
import { RunTracker } from './run-tracker.js';
import type {
  RunExecutionHandle,
  RunExecutionRequest,
  RunOutcome,
  WorkerPool,
} from './worker-pool-types.js';
import { WorkerProcess } from './worker-process.js';

/** Options of `createWorkerPool()`. */
export interface WorkerPoolOptions {
  /** The definitions module (TypeScript or JavaScript), resolved against `cwd`. Required. */
  defsPath: string;
  /** The Cairn home; values of the implicit default IO manager go to `<home>/storage`. Required. */
  home: string;
  /** Worker processes, i.e. runs executing at once. Default 2. */
  size?: number;
  /** Heap limit of each worker (`--max-old-space-size`), in MB. Default 1024. */
  memoryLimitMb?: number;
  /** How long a cancelled run, or a step past its timeoutMs, may take to stop before SIGKILL, in ms. Default 5000. */
  killGraceMs?: number;
  /** Where the watchdog and grace timers and the pool's own event timestamps read time. Default `systemClock`. */
  clock?: Clock;
  /** Resolves a relative `defsPath`. Default `process.cwd()`. */
  cwd?: string;
  /** Receives what workers print outside steps (startup, V8 fatal errors). Default: this process's stderr. */
  onWorkerOutput?: (pid: number, stream: 'stdout' | 'stderr', chunk: string) => void;
}

/** The pool with the optional members this implementation adds to the contract. */
export interface ProcessWorkerPool extends WorkerPool {
  /** Resolves when every worker has loaded the definitions; rejects with the load error. */
  ready(): Promise<void>;
  /** Process ids of the live workers (for diagnostics). */
  pids(): number[];
}

interface Job {
  request: RunExecutionRequest;
  onEvent: (event: RunEvent) => void;
  resolve: (outcome: RunOutcome) => void;
  session: RunSession | undefined;
  done: boolean;
}

interface Slot {
  worker: WorkerProcess;
  state: 'starting' | 'idle' | 'busy' | 'failed';
  generation: number;
  loadError?: Error;
}

function positiveInt(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new DaemonError(
      'CAIRN_INVALID_OPTIONS',
      `createWorkerPool(): ${name} must be a whole number >= ${min}, got ${String(value)}.`,
      { [name]: value },
    );
  }
  return value;
}

/**
 * Creates a warm pool of worker processes: each is forked at once and loads the definitions
 * before the first run arrives, and is reused run after run. User code that throws fails its step;
 * user code that exits, crashes, leaks past `memoryLimitMb` or blocks past its `timeoutMs` loses
 * its worker, whose in-flight steps and run the pool fails, and the pool forks a replacement.
 *
 * @example
 * const pool = createWorkerPool({ defsPath: 'src/defs.ts', home: '.cairn' });
 * const handle = pool.execute({ runId, plan }, (event) => storage.append(event));
 * const outcome = await handle.result;
 */
export function createWorkerPool(options: WorkerPoolOptions): ProcessWorkerPool {
  if (typeof options?.defsPath !== 'string' || options.defsPath === '') {
    throw new DaemonError(
      'CAIRN_INVALID_OPTIONS',
      'createWorkerPool() needs "defsPath": the definitions module to load.',
      {},
    );
  }
  if (typeof options.home !== 'string' || options.home === '') {
    throw new DaemonError(
      'CAIRN_INVALID_OPTIONS',
      'createWorkerPool() needs "home": the Cairn home directory.',
      {},
    );
  }
  const size = positiveInt('size', options.size ?? 2, 1);
  // Below ~32 MB a worker cannot even load tsx and core.
  const memoryLimitMb = positiveInt('memoryLimitMb', options.memoryLimitMb ?? 1024, 32);
  const killGraceMs = positiveInt('killGraceMs', options.killGraceMs ?? 5000, 0);
  const clock = options.clock ?? systemClock;
  const defsPath = resolve(options.cwd ?? process.cwd(), options.defsPath);
  const home = resolve(options.cwd ?? process.cwd(), options.home);
  const onOutput =
    options.onWorkerOutput ?? ((_pid, _stream, chunk) => process.stderr.write(chunk));
  const settings = { clock, killGraceMs, memoryLimitMb };

  const queue: Job[] = [];
  const running = new Set<Job>();
  let generation = 0;
  let closed = false;

  const spawn = (): Slot => {
    const worker = new WorkerProcess({ defsPath, home, memoryLimitMb, onOutput });
    const slot: Slot = { worker, state: 'starting', generation };
    watch(slot, worker);
    return slot;
  };
  const respawn = (slot: Slot): void => {
    slot.worker.kill();
    const fresh = new WorkerProcess({ defsPath, home, memoryLimitMb, onOutput });
    slot.worker = fresh;
    slot.state = 'starting';
    slot.generation = generation;
    delete slot.loadError;
    watch(slot, fresh);
  };
  function watch(slot: Slot, worker: WorkerProcess): void {
    worker.ready.then(
      () => {
        if (slot.worker !== worker || slot.state !== 'starting') return;
        slot.state = 'idle';
        pump();
      },
      (err: Error) => {
        if (slot.worker !== worker || slot.state !== 'starting') return;
        slot.state = 'failed';
        slot.loadError = err;
        pump();
      },
    );
    watchIdle(slot);
  }
  const slots: Slot[] = Array.from({ length: size }, spawn);

  // A normal exit of the daemon takes its workers along (a kill -9 closes their IPC channel,
  // on which they exit by themselves).
  const onProcessExit = () => {
    for (const slot of slots) slot.worker.kill();
  };
  process.once('exit', onProcessExit);

  function pump(): void {
    while (queue.length > 0) {
      const slot = slots.find((s) => s.state === 'idle');
      if (slot === undefined) break;
      start(slot, queue.shift()!);
    }
    if (queue.length > 0 && slots.every((s) => s.state === 'failed')) {
      // No worker could load the definitions: the queued runs cannot run anywhere.
      const error = serializeError(slots[0]!.loadError);
      for (const job of queue.splice(0)) {
        failUnstarted(job, 'failure', error, `the definitions failed to load: ${error.message}`);
      }
    }
  }

  function start(slot: Slot, job: Job): void {
    slot.state = 'busy';
    running.add(job);
    const session = new RunSession(
      job.request,
      job.onEvent,
      slot.worker,
      settings,
      (outcome, usable) => {
        running.delete(job);
        job.session = undefined;
        finishJob(job, outcome);
        if (closed) {
          slot.worker.kill();
          return;
        }
        if (usable && slot.generation === generation) {
          slot.state = 'idle';
          // Re-arm the idle watch: the session had taken over the worker's exit handler.
          watchIdle(slot);
        } else {
          respawn(slot);
        }
        pump();
      },
    );
    job.session = session;
    session.start();
  }

  // A worker that dies while idle (killed from outside) is replaced; a busy one is handled by its
  // run session, which takes over the worker's exit handler until the run ends.
  function watchIdle(slot: Slot): void {
    const worker = slot.worker;
    worker.onExit = () => {
      if (slot.worker === worker && slot.state === 'idle' && !closed) respawn(slot);
    };
  }

  function finishJob(job: Job, outcome: RunOutcome): void {
    if (job.done) return;
    job.done = true;
    job.resolve(outcome);
  }

  /** Ends a run that never reached a worker, with the same events a started run would have. */
  function failUnstarted(
    job: Job,
    status: 'failure' | 'canceled',
    error: SerializedError,
    skipReason: string,
  ): void {
    const tracker = new RunTracker(job.request.runId, job.request.plan, () => clock.now());
    for (const event of tracker.finish(status, () => error, skipReason)) {
      try {
        job.onEvent(event);
      } catch {
        // Same policy as a running run: a failing listener does not stop the pool.
      }
    }
    finishJob(job, { status, error });
  }

  return {
    size,
    execute(request, onEvent): RunExecutionHandle {
      let resolveResult!: (outcome: RunOutcome) => void;
      const result = new Promise<RunOutcome>((r) => {
        resolveResult = r;
      });
      const job: Job = {
        request,
        onEvent,
        resolve: resolveResult,
        session: undefined,
        done: false,
      };
      if (closed) {
        const message = `The worker pool is closed, so run "${request.runId}" cannot execute. Submit it to a running daemon.`;
        failUnstarted(
          job,
          'failure',
          { code: 'CAIRN_WORKER_POOL_CLOSED', name: 'CairnError', message, stack: message },
          message,
        );
      } else {
        queue.push(job);
        // Workers that failed to load get another chance: the module may have been fixed.
        for (const slot of slots) if (slot.state === 'failed') respawn(slot);
        pump();
      }
      return {
        result,
        cancel(reason = 'cancelled by request') {
          if (job.done) return;
          const queued = queue.indexOf(job);
          if (queued !== -1) {
            queue.splice(queued, 1);
            const message = `Run "${request.runId}" was cancelled before it started (${reason}).`;
            failUnstarted(
              job,
              'canceled',
              { code: 'CAIRN_RUN_ABORTED', name: 'CairnError', message, stack: message },
              message,
            );
            return;
          }
          job.session?.cancel(reason);
        },
      };
    },
    async reload() {
      generation++;
      const fresh: Slot[] = [];
      for (const slot of slots) {
        // Busy workers finish their run on the old definitions and are replaced right after.
        if (slot.state === 'busy') continue;
        respawn(slot);
        fresh.push(slot);
      }
      await Promise.all(fresh.map((s) => s.worker.ready));
    },
    async ready() {
      await Promise.all(slots.map((s) => s.worker.ready));
    },
    pids() {
      return slots.filter((s) => s.worker.isAlive).map((s) => s.worker.pid);
    },
    async close() {
      if (closed) return;
      closed = true;
      process.removeListener('exit', onProcessExit);
      for (const job of queue.splice(0)) {
        const message = `Run "${job.request.runId}" was cancelled before it started: the worker pool closed.`;
        failUnstarted(
          job,
          'canceled',
          { code: 'CAIRN_RUN_ABORTED', name: 'CairnError', message, stack: message },
          message,
        );
      }
      for (const job of running) job.session?.cancel('the worker pool closed');
      for (const slot of slots) if (slot.state !== 'busy') slot.worker.kill();
      // Sessions ending now kill their worker instead of forking a replacement (see start()).
      await Promise.all(slots.map((s) => s.worker.exited));
    },
  };
}
