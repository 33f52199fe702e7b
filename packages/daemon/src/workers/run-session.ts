import type { Clock, PlanStep, RunEvent, SerializedError } from '@cairn/core';
import { RunTracker } from './run-tracker.js';
import type { DoneMessage, EventMessage } from './worker-messages.js';
import type { RunExecutionRequest, RunOutcome } from './worker-pool-types.js';
import { describeExit, lastLines, type WorkerExit, type WorkerProcess } from './worker-process.js';

/** Settings a session needs from its pool. */
export interface SessionSettings {
  clock: Clock;
  killGraceMs: number;
  memoryLimitMb: number;
}

// Why the pool killed the worker, decided before the kill so the exit can be explained.
type KillReason =
  | { kind: 'timeout'; stepKey: string; timeoutMs: number }
  | { kind: 'cancel'; reason: string };

/** Runs `fn` after `ms` on `clock`; returns a function that cancels it. */
export function after(clock: Clock, ms: number, fn: () => void): () => void {
  const controller = new AbortController();
  clock.sleep(ms, controller.signal).then(fn, () => {});
  return () => controller.abort();
}

function cairnError(code: string, message: string, extra = ''): SerializedError {
  return { code, name: 'CairnError', message, stack: `CairnError: ${message}${extra}` };
}

/**
 * One run on one worker process: forwards the worker's events in order, arms a watchdog per step
 * from each asset's `timeoutMs` (hard kill at timeoutMs + killGraceMs, for code that blocks the
 * worker's event loop so its own timer cannot fire), escalates cancellation from the signal to a
 * SIGKILL, and when the worker dies mid-run ends the run's events itself.
 */
export class RunSession {
  private readonly tracker: RunTracker;
  private readonly stepsByKey = new Map<string, PlanStep>();
  private readonly watchdogs = new Map<string, () => void>();
  private killReason: KillReason | undefined;
  private cancelTimer: (() => void) | undefined;
  private ended = false;

  constructor(
    private readonly request: RunExecutionRequest,
    private readonly onEvent: (event: RunEvent) => void,
    private readonly worker: WorkerProcess,
    private readonly settings: SessionSettings,
    private readonly onEnd: (outcome: RunOutcome, workerUsable: boolean) => void,
  ) {
    this.tracker = new RunTracker(request.runId, request.plan, () => settings.clock.now());
    for (const step of request.plan.steps) this.stepsByKey.set(step.key, step);
  }

  /** Sends the plan to the worker. */
  start(): void {
    this.worker.onMessage = (m) => this.onMessage(m);
    this.worker.onExit = (exit) => this.onWorkerExit(exit);
    const { runId, plan, config, tags, upstreamVersions } = this.request;
    const sent = this.worker.send({
      type: 'execute',
      runId,
      plan,
      ...(config === undefined ? {} : { config }),
      ...(tags === undefined ? {} : { tags }),
      ...(upstreamVersions === undefined ? {} : { upstreamVersions }),
    });
    // A closed channel means the process is exiting: its exit handler ends the run.
    if (!sent && !this.worker.isAlive)
      this.onWorkerExit({ code: null, signal: null, outOfMemory: false, stderrTail: '' });
  }

  /** Aborts the run's signal in the worker; SIGKILLs it when the run has not ended after killGraceMs. */
  cancel(reason: string): void {
    if (this.ended || this.killReason?.kind === 'cancel' || this.cancelTimer !== undefined) return;
    this.worker.send({ type: 'cancel', runId: this.request.runId, reason });
    this.cancelTimer = after(this.settings.clock, this.settings.killGraceMs, () => {
      this.killReason ??= { kind: 'cancel', reason };
      this.worker.kill();
    });
  }

  private deliver(event: RunEvent): void {
    try {
      this.onEvent(event);
    } catch (err) {
      // The coordinator's listener failing must not stop the run's other events.
      process.emitWarning(
        `cairn worker pool: the onEvent listener of run ${this.request.runId} threw on a "${event.type}" event: ${String(err)}`,
      );
    }
  }

  private onMessage(m: EventMessage | DoneMessage): void {
    if (this.ended) return;
    if (m.type === 'event') {
      if (m.event.runId !== this.request.runId) return;
      const change = this.tracker.record(m.event);
      if (change.computing !== undefined) this.arm(change.computing, m.event);
      if (change.ended !== undefined) this.disarm(change.ended);
      this.deliver(m.event);
      return;
    }
    if (m.runId !== this.request.runId) return;
    if (!this.tracker.hasFinished) {
      // executePlan threw before it started (invalid plan or config): end the story here.
      const error =
        m.error ??
        cairnError(
          'CAIRN_WORKER_PROTOCOL',
          'The worker ended the run without a run_finished event.',
        );
      for (const e of this.tracker.finish(
        'failure',
        () => error,
        `the run could not start: ${error.message}`,
      ))
        this.deliver(e);
      this.end({ status: 'failure', error }, true);
      return;
    }
    this.end(
      m.error === undefined ? { status: m.status } : { status: m.status, error: m.error },
      true,
    );
  }

  private arm(stepKey: string, event: RunEvent): void {
    this.disarm(stepKey);
    const step = this.stepsByKey.get(stepKey);
    const timeoutMs = step === undefined ? undefined : this.worker.timeouts.get(step.assetKeys[0]!);
    if (timeoutMs === undefined) return;
    const delayMs = event.type === 'step_retry' ? event.delayMs : 0;
    const ms = delayMs + timeoutMs + this.settings.killGraceMs;
    this.watchdogs.set(
      stepKey,
      after(this.settings.clock, ms, () => {
        this.killReason ??= { kind: 'timeout', stepKey, timeoutMs };
        this.worker.kill();
      }),
    );
  }

  private disarm(stepKey: string): void {
    this.watchdogs.get(stepKey)?.();
    this.watchdogs.delete(stepKey);
  }

  private onWorkerExit(exit: WorkerExit): void {
    if (this.ended) return;
    const { runId } = this.request;
    const inFlight = this.tracker.inFlight();
    const reason = this.killReason;
    const grace = this.settings.killGraceMs;
    const tail = lastLines(exit.stderrTail);
    const tailStack = tail === '' ? '' : `\n    worker stderr: ${tail}`;
    const running =
      inFlight.length === 0
        ? `run "${runId}" (between steps)`
        : `step ${inFlight.map((k) => `"${k}"`).join(', ')}`;
    let status: 'failure' | 'canceled' = 'failure';
    let primary: SerializedError;
    let others: SerializedError;
    if (reason?.kind === 'timeout') {
      const what = this.describe(reason.stepKey);
      primary = cairnError(
        'CAIRN_STEP_TIMEOUT',
        `${what} did not finish within its timeoutMs of ${reason.timeoutMs} ms and did not stop within ${grace} ms after its signal aborted (it blocks the event loop), so its worker process was killed. Make it yield and honour ctx.signal, or raise timeoutMs.`,
      );
      others = cairnError(
        'CAIRN_WORKER_EXITED',
        `The worker process was killed because step "${reason.stepKey}", running in the same worker, exceeded its timeoutMs of ${reason.timeoutMs} ms.`,
      );
    } else if (reason?.kind === 'cancel') {
      status = 'canceled';
      primary = cairnError(
        'CAIRN_RUN_ABORTED',
        `Run "${runId}" was cancelled (${reason.reason}) and ${running} did not stop within killGraceMs (${grace} ms) after its signal aborted, so its worker process was killed.`,
      );
      others = primary;
    } else if (exit.outOfMemory) {
      primary = cairnError(
        'CAIRN_WORKER_OUT_OF_MEMORY',
        `The worker process ran out of memory (memory limit ${this.settings.memoryLimitMb} MB, --max-old-space-size) while running ${running}. Keep less in memory (stream or chunk the data) or raise the pool's memoryLimitMb.`,
        tailStack,
      );
      others = primary;
    } else if (exit.protocolError !== undefined) {
      primary = cairnError(
        'CAIRN_WORKER_PROTOCOL',
        `The worker process sent a malformed message while running ${running} and was killed: ${exit.protocolError}. Does user code call process.send()?`,
      );
      others = primary;
    } else {
      primary = cairnError(
        'CAIRN_WORKER_EXITED',
        `The worker process ${describeExit(exit)} while running ${running}. User code (or a native module) ended the process: look for process.exit() or a crash in that step.`,
        tailStack,
      );
      others = primary;
    }
    const primaryStep = reason?.kind === 'timeout' ? reason.stepKey : undefined;
    const events = this.tracker.finish(
      status,
      (k) => (primaryStep === undefined || k === primaryStep ? primary : others),
      status === 'canceled'
        ? `run "${runId}" was cancelled`
        : `the worker process died: ${primary.message}`,
    );
    for (const e of events) this.deliver(e);
    this.end({ status, error: primary }, false);
  }

  private describe(stepKey: string): string {
    const step = this.stepsByKey.get(stepKey);
    if (step === undefined) return `Step "${stepKey}"`;
    const asset =
      step.assetKeys.length === 1 ? `Asset "${step.assetKeys[0]}"` : `Step "${stepKey}"`;
    return step.partitionKey === undefined ? asset : `${asset} partition "${step.partitionKey}"`;
  }

  private end(outcome: RunOutcome, workerUsable: boolean): void {
    if (this.ended) return;
    this.ended = true;
    for (const stop of this.watchdogs.values()) stop();
    this.watchdogs.clear();
    this.cancelTimer?.();
    this.worker.onMessage = undefined;
    this.worker.onExit = undefined;
    this.onEnd(outcome, workerUsable && this.killReason === undefined && this.worker.isAlive);
  }
}
