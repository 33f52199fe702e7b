import type { PlanStep } from './plan.js';
import type { StepOutcome } from './step-runner.js';

/** What the scheduler asks of the engine. */
export interface SchedulerHooks {
  /** Steps running at the same time, at most. */
  maxConcurrency: number;
  /** Why nothing more may start (the run was cancelled), or undefined. */
  stopReason(): string | undefined;
  /** Records a step that will not run, with the reason. */
  skip(index: number, reason: string): void;
  /** Records a step whose stored output is reused. */
  reuse(index: number): void;
  /** Runs a step; never rejects for user errors (they are outcomes). */
  start(index: number): Promise<StepOutcome>;
  /** Records how a started step ended. */
  finished(index: number, outcome: StepOutcome): void;
  /** Turns an unexpected rejection of `start` into a failed outcome. */
  crashed(index: number, err: unknown): StepOutcome;
}

/**
 * Runs the steps of a plan in dependency order with bounded parallelism and resolves when every
 * step has settled. A step starts once all the steps it depends on settled; if one of them failed
 * (or a blocking check failed on an asset it reads) it is skipped instead, with the root cause as
 * reason, and its own dependents inherit that reason. O(steps + deps): ready steps are an array
 * with a moving head, dependents are counted down, nothing is rescanned.
 */
export function scheduleSteps(steps: readonly PlanStep[], hooks: SchedulerHooks): Promise<void> {
  const n = steps.length;
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) index.set(steps[i]!.key, i);
  const waiting = new Int32Array(n);
  const dependents: (number[] | undefined)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    for (const dep of steps[i]!.deps) {
      const j = index.get(dep);
      if (j === undefined) continue;
      waiting[i]!++;
      const list = dependents[j];
      if (list === undefined) dependents[j] = [i];
      else list.push(i);
    }
  }
  // Why a step must not run, set by the first failed or blocked upstream.
  const skipReason: (string | undefined)[] = new Array(n);
  const ready: number[] = [];
  for (let i = 0; i < n; i++) if (waiting[i] === 0) ready.push(i);
  let head = 0;
  let running = 0;
  let remaining = n;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });

  /** Marks step i settled; `all` skips every dependent, `blocked` only those reading a blocked asset. */
  const settle = (i: number, all: string | undefined, blocked?: ReadonlyMap<string, string>) => {
    remaining--;
    for (const d of dependents[i] ?? []) {
      if (skipReason[d] === undefined) {
        if (all !== undefined) skipReason[d] = all;
        else if (blocked !== undefined) {
          for (const input of steps[d]!.inputs) {
            const reason = blocked.get(input.assetKey);
            if (reason !== undefined) {
              skipReason[d] = reason;
              break;
            }
          }
        }
      }
      if (--waiting[d]! === 0) ready.push(d);
    }
  };

  const finish = (i: number, outcome: StepOutcome) => {
    running--;
    hooks.finished(i, outcome);
    if (outcome.status === 'succeeded') settle(i, undefined, outcome.blocked);
    else
      settle(
        i,
        outcome.status === 'canceled'
          ? (hooks.stopReason() ?? 'the run was cancelled')
          : `upstream step "${steps[i]!.key}" failed`,
      );
    pump();
  };

  const pump = () => {
    while (head < ready.length && running < hooks.maxConcurrency) {
      const i = ready[head++]!;
      const step = steps[i]!;
      const reason = hooks.stopReason() ?? skipReason[i];
      if (reason !== undefined) {
        hooks.skip(i, reason);
        settle(i, reason);
      } else if (step.mode === 'reuse') {
        hooks.reuse(i);
        settle(i, undefined);
      } else if (step.mode === 'skip') {
        hooks.skip(i, 'skipped on request (re-execution)');
        settle(i, `upstream step "${step.key}" was skipped on request`);
      } else {
        running++;
        hooks.start(i).then(
          (outcome) => finish(i, outcome),
          (err) => finish(i, hooks.crashed(i, err)),
        );
      }
    }
    if (remaining === 0) resolveDone();
  };

  pump();
  return done;
}
