import type { ExecutionPlan, PlanStep, RunCounts, RunEvent, SerializedError } from '@cairn/core';

type StepState = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';

interface TrackedStep {
  step: PlanStep;
  state: StepState;
  materializations: number;
  checks: number;
}

/**
 * Follows one run's events as the pool forwards them, so that when the worker dies mid-run the
 * pool can finish the run's story itself: `step_failed` for the steps in flight, `step_skipped`
 * for those that never started, and a `run_finished` whose counts match the events sent.
 */
export class RunTracker {
  private readonly steps = new Map<string, TrackedStep>();
  private started = false;
  private finished = false;
  private materializations = 0;
  private checksPassed = 0;
  private checksFailed = 0;
  private readonly startedAt: number;

  constructor(
    private readonly runId: string,
    private readonly plan: ExecutionPlan,
    private readonly now: () => Date,
  ) {
    for (const step of plan.steps) {
      this.steps.set(step.key, { step, state: 'pending', materializations: 0, checks: 0 });
    }
    this.startedAt = now().getTime();
  }

  /** True once a `run_finished` event went through. */
  get hasFinished(): boolean {
    return this.finished;
  }

  /**
   * Records one event. Returns the step whose user code started (or retries) computing, or ended,
   * so the watchdog can arm and disarm its timer.
   */
  record(event: RunEvent): { computing?: string; ended?: string } {
    switch (event.type) {
      case 'run_started':
        this.started = true;
        return {};
      case 'run_finished':
        this.finished = true;
        return {};
      case 'step_started': {
        const s = this.steps.get(event.stepKey);
        if (s !== undefined) s.state = 'running';
        return { computing: event.stepKey };
      }
      case 'step_retry':
        return { computing: event.stepKey };
      case 'step_failed': {
        const s = this.steps.get(event.stepKey);
        if (s !== undefined) s.state = 'failed';
        return { ended: event.stepKey };
      }
      case 'step_skipped': {
        const s = this.steps.get(event.stepKey);
        if (s !== undefined) s.state = 'skipped';
        return {};
      }
      case 'materialization': {
        this.materializations++;
        const s = this.steps.get(event.stepKey);
        if (s === undefined) return {};
        s.materializations++;
        // The asset function has returned once every asset of the step is stored.
        const computed = s.materializations >= s.step.assetKeys.length;
        this.settle(s);
        return computed ? { ended: event.stepKey } : {};
      }
      case 'check_evaluation': {
        if (event.passed) this.checksPassed++;
        else this.checksFailed++;
        const s = this.steps.get(event.stepKey);
        if (s !== undefined) {
          s.checks++;
          this.settle(s);
        }
        return {};
      }
      default:
        return {};
    }
  }

  /** The keys of the steps that started and have not ended. */
  inFlight(): string[] {
    return [...this.steps.values()].filter((s) => s.state === 'running').map((s) => s.step.key);
  }

  /**
   * The events that end the run when its worker is gone: `run_started` if it never came,
   * `step_failed` (with `errorOf(stepKey)`) for steps in flight, `step_skipped` for steps that
   * never started, then `run_finished` with `status`.
   */
  finish(
    status: 'failure' | 'canceled',
    errorOf: (stepKey: string) => SerializedError,
    skipReason: string,
  ): RunEvent[] {
    const events: RunEvent[] = [];
    const runId = this.runId;
    const ts = () => this.now().toISOString();
    if (!this.started) {
      events.push({
        type: 'run_started',
        runId,
        timestamp: ts(),
        stepKeys: this.plan.steps.map((s) => s.key),
      });
    }
    for (const s of this.steps.values()) {
      const { step } = s;
      const part = step.partitionKey === undefined ? {} : { partitionKey: step.partitionKey };
      if (s.state === 'running') {
        s.state = 'failed';
        events.push({
          type: 'step_failed',
          runId,
          timestamp: ts(),
          stepKey: step.key,
          ...part,
          assetKeys: step.assetKeys,
          attempts: 1,
          error: errorOf(step.key),
        });
      } else if (s.state === 'pending' && step.mode !== 'reuse') {
        s.state = 'skipped';
        events.push({
          type: 'step_skipped',
          runId,
          timestamp: ts(),
          stepKey: step.key,
          ...part,
          assetKeys: step.assetKeys,
          reason: skipReason,
        });
      }
    }
    const finishedAt = this.now();
    events.push({
      type: 'run_finished',
      runId,
      timestamp: finishedAt.toISOString(),
      status,
      counts: this.counts(),
      durationMs: finishedAt.getTime() - this.startedAt,
    });
    this.finished = true;
    return events;
  }

  private settle(s: TrackedStep): void {
    if (s.state !== 'running') return;
    if (s.materializations >= s.step.assetKeys.length && s.checks >= s.step.checkIds.length) {
      s.state = 'succeeded';
    }
  }

  private counts(): RunCounts {
    const counts: RunCounts = {
      steps: this.steps.size,
      succeeded: 0,
      failed: 0,
      skipped: 0,
      reused: 0,
      materializations: this.materializations,
      checksPassed: this.checksPassed,
      checksFailed: this.checksFailed,
    };
    for (const s of this.steps.values()) {
      if (s.state === 'succeeded') counts.succeeded++;
      else if (s.state === 'failed') counts.failed++;
      else if (s.state === 'skipped') counts.skipped++;
      else if (s.step.mode === 'reuse') counts.reused++;
    }
    return counts;
  }
}
