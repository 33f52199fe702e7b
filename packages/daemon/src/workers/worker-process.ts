import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { SerializedError } from '@cairn/core';
import { DaemonError } from '../errors.js';
import {
  type DoneMessage,
  type EventMessage,
  type ParentMessage,
  parseWorkerMessage,
  type ReadyMessage,
} from './worker-messages.js';

/** How a worker process ended. */
export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when V8 reported that the heap limit (`--max-old-space-size`) was reached. */
  outOfMemory: boolean;
  /** The last lines the process wrote to stderr (V8's fatal errors land here). */
  stderrTail: string;
  /** Set when the pool killed it for sending a malformed message. */
  protocolError?: string;
}

/** Options of one worker process. */
export interface WorkerProcessOptions {
  defsPath: string;
  home: string;
  memoryLimitMb: number;
  /** Receives what the process writes to stdout/stderr outside steps. */
  onOutput: (pid: number, stream: 'stdout' | 'stderr', chunk: string) => void;
}

// Enough for V8's fatal-error banner and the last lines of a user's crash output.
const STDERR_TAIL_CHARS = 4096;
const OOM = /heap out of memory|Reached heap limit|Allocation failed/;

// Running from the TypeScript sources (the workspace) or from the compiled package.
const FROM_SOURCES = import.meta.url.endsWith('.ts');
// The worker entry next to this file: worker-main.ts from sources, worker-main.js once built.
const WORKER_MAIN = fileURLToPath(
  new URL(FROM_SOURCES ? './worker-main.ts' : './worker-main.js', import.meta.url),
);
// tsx resolved from the daemon's own dependencies, not from the user's cwd, so `--import` works
// wherever the daemon is started. Node >= 20.6 runs it through module.register().
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** The node flags a worker is started with. */
export function workerExecArgv(memoryLimitMb: number): string[] {
  return [
    // From sources, `@cairn/*` must resolve to src/index.ts too; a compiled daemon's workers use
    // the compiled packages (the tsx loader stays: the user's definitions may be TypeScript).
    ...(FROM_SOURCES ? ['--conditions=@cairn/source'] : []),
    '--import',
    TSX_LOADER,
    `--max-old-space-size=${memoryLimitMb}`,
  ];
}

/**
 * One forked worker process as the pool sees it: resolves `ready` once its definitions loaded,
 * hands run messages to `onMessage`, reports its death to `onExit`. Never throws into the pool.
 */
export class WorkerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves when the definitions loaded; rejects with the load error or an early exit. */
  readonly ready: Promise<ReadyMessage>;
  /** Resolves when the process has exited. */
  readonly exited: Promise<WorkerExit>;
  /** `timeoutMs` by asset key, known once ready. */
  timeouts: ReadonlyMap<string, number> = new Map();
  /** Receives the current run's events and its `done`. */
  onMessage: ((message: EventMessage | DoneMessage) => void) | undefined;
  /** Called once when the process exits. */
  onExit: ((exit: WorkerExit) => void) | undefined;
  private stderrTail = '';
  private protocolError: string | undefined;
  private alive = true;

  constructor(options: WorkerProcessOptions) {
    this.child = fork(WORKER_MAIN, [options.defsPath, options.home], {
      execArgv: workerExecArgv(options.memoryLimitMb),
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    this.pid = this.child.pid ?? -1;
    this.child.stdout?.setEncoding('utf8');
    this.child.stderr?.setEncoding('utf8');
    this.child.stdout?.on('data', (chunk: string) => options.onOutput(this.pid, 'stdout', chunk));
    this.child.stderr?.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
      options.onOutput(this.pid, 'stderr', chunk);
    });
    let settleReady: { resolve(m: ReadyMessage): void; reject(e: Error): void } | undefined;
    this.ready = new Promise<ReadyMessage>((resolve, reject) => {
      settleReady = { resolve, reject };
    });
    // Callers that never await `ready` (a run that died first) must not see an unhandled rejection.
    this.ready.catch(() => {});
    this.child.on('message', (raw) => {
      const parsed = parseWorkerMessage(raw);
      if (!parsed.ok) {
        this.protocolError = parsed.error;
        this.kill();
        return;
      }
      const m = parsed.message;
      if (m.type === 'ready') {
        this.timeouts = new Map(Object.entries(m.timeouts));
        settleReady?.resolve(m);
      } else if (m.type === 'load_error') {
        settleReady?.reject(reviveLoadError(m.error, options.defsPath));
      } else {
        this.onMessage?.(m);
      }
    });
    this.exited = new Promise<WorkerExit>((resolve) => {
      const done = (code: number | null, signal: NodeJS.Signals | null) => {
        if (!this.alive) return;
        this.alive = false;
        const exit: WorkerExit = {
          code,
          signal,
          outOfMemory: OOM.test(this.stderrTail),
          stderrTail: this.stderrTail,
        };
        if (this.protocolError !== undefined) exit.protocolError = this.protocolError;
        settleReady?.reject(
          new DaemonError(
            'CAIRN_WORKER_EXITED',
            `Worker process ${this.pid} ${describeExit(exit)} while loading definitions module ${options.defsPath}. Its last output: ${lastLines(exit.stderrTail) || '(none)'}`,
            { pid: this.pid, code, signal, defsPath: options.defsPath },
          ),
        );
        resolve(exit);
        this.onExit?.(exit);
      };
      // 'close' comes after stdio drained, so the stderr tail is complete; 'error' covers a
      // failed spawn, which emits no 'exit'.
      this.child.on('close', done);
      this.child.on('error', () => done(null, null));
    });
  }

  /** True until the process has exited. */
  get isAlive(): boolean {
    return this.alive;
  }

  /** Sends a message; false when the channel is already closed (the exit handler follows). */
  send(message: ParentMessage): boolean {
    if (!this.alive || !this.child.connected) return false;
    try {
      return this.child.send(message);
    } catch {
      return false;
    }
  }

  /** Hard-kills the process (SIGKILL: user code cannot catch or delay it). */
  kill(): void {
    if (this.alive) this.child.kill('SIGKILL');
  }
}

/** "exited with code 3", "was killed by signal SIGKILL". */
export function describeExit(exit: Pick<WorkerExit, 'code' | 'signal'>): string {
  return exit.signal !== null
    ? `was killed by signal ${exit.signal}`
    : `exited with code ${exit.code}`;
}

/** The last few non-empty lines of captured output, joined for a message. */
export function lastLines(text: string, n = 5): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .slice(-n)
    .join(' | ');
}

/** Rebuilds the worker's load error as a DaemonError the pool can throw, stack and all. */
function reviveLoadError(error: SerializedError, defsPath: string): DaemonError {
  const known = [
    'CAIRN_DEFINITIONS_NOT_FOUND',
    'CAIRN_DEFINITIONS_LOAD_FAILED',
    'CAIRN_DEFINITIONS_EXPORT_MISSING',
  ] as const;
  const code = known.find((c) => c === error.code) ?? 'CAIRN_DEFINITIONS_LOAD_FAILED';
  const cause = error.cause === undefined ? undefined : revive(error.cause);
  const err = new DaemonError(
    code,
    error.message,
    { defsPath },
    cause === undefined ? undefined : { cause },
  );
  err.stack = error.stack;
  return err;
}

function revive(error: SerializedError): Error {
  const err = new Error(error.message);
  err.name = error.name;
  err.stack = error.stack;
  return err;
}
