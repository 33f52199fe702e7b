import type { HistoryReader } from '../checks/asset-check.js';
import type { Definitions } from '../definitions-types.js';
import { CairnError } from '../errors.js';
import type { IOManager } from '../io/io-manager.js';
import type { ResourceDefinition } from '../resource.js';
import { type Clock, systemClock } from './clock.js';
import type {
  CheckEvaluationEvent,
  MaterializationEvent,
  RunCounts,
  RunEvent,
  StepSkippedEvent,
} from './events.js';
import type { ExecutionPlan, PlanStep } from './plan.js';
import { validateRunConfig } from './run-config.js';
import { RunHistory } from './run-history.js';
import { type RunResources, resolveResources, setupResources } from './run-resources.js';
import type { RunState } from './run-state.js';
import { serializeError, wrapUserError } from './serialize-error.js';
import { StepLog } from './step-logger.js';
import { runStep } from './step-runner.js';
import { scheduleSteps } from './step-scheduler.js';

/** Options of `executePlan()`. */
export interface ExecuteOptions {
  /** The run's id, stamped on every event. Required. */
  runId: string;
  /** Where time comes from (timestamps, retry delays, time limits). Default `systemClock`. */
  clock?: Clock;
  /** Receives every event as it happens, synchronously. Default: none. */
  onEvent?: (event: RunEvent) => void;
  /** Cancels the run: running steps see their signal abort, pending ones are skipped. Default: none. */
  signal?: AbortSignal;
  /** Steps running at the same time, at most. Default 4. */
  maxConcurrency?: number;
  /** Resources by name (a ResourceDefinition or a plain value), overriding the definitions'. */
  resources?: Readonly<Record<string, ResourceDefinition<any, any> | unknown>>;
  /** Run config by asset key, validated with each asset's zod schema. Default `{}`. */
  config?: Readonly<Record<string, unknown>>;
  /** Earlier materializations: upstream data versions and what checks see. Default: none. */
  history?: HistoryReader;
  /** IO managers by name, overriding the definitions'. */
  ioManagers?: Readonly<Record<string, IOManager>>;
  /** Randomness for retry jitter, in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Called with each computed value, before it is stored. Default: none. */
  onValue?: (assetKey: string, partitionKey: string | undefined, value: unknown) => void;
  /**
   * Runs each step (its attempts, IO and checks) inside `run()`, so a host can wrap it in its own
   * context, e.g. an AsyncLocalStorage that attributes captured stdout to the step. Default: none.
   */
  aroundStep?: <T>(step: PlanStep, run: () => T) => T;
}

/** A step that did not succeed, with the error that stopped it. */
export interface StepFailure {
  /** The step, absent when the run failed before any step (resource setup). */
  stepKey?: string;
  assetKeys: string[];
  partitionKey?: string;
  error: CairnError;
}

/** How each step ended. */
export type StepStatus = 'succeeded' | 'failed' | 'canceled' | 'skipped' | 'reused';

/** What `executePlan()` returns once the run has finished. */
export interface ExecutionResult {
  runId: string;
  status: 'success' | 'failure' | 'canceled';
  /** True when every step succeeded (or was reused) and no blocking check failed. */
  success: boolean;
  counts: RunCounts;
  /** Status by step key. */
  steps: Record<string, StepStatus>;
  materializations: MaterializationEvent[];
  checkEvaluations: CheckEvaluationEvent[];
  failures: StepFailure[];
  /** This run's materializations over the given history; pass it as `history` to a later run. */
  history: RunHistory;
}

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});
// Shared by runs that cannot be cancelled, so `ctx.signal` always exists.
const NEVER = new AbortController().signal;

/**
 * Executes a plan: steps run as soon as the steps they depend on have succeeded, at most
 * `maxConcurrency` at a time. A failed step or a failed blocking check skips what depends on it
 * (independent branches keep running); resources are set up once before the first step and torn
 * down after the last, even on failure. Everything that happens is reported through `onEvent`.
 * Throws only for invalid options or run config, before anything runs.
 *
 * @example
 * const plan = buildPlan(defs, { selection: '*' });
 * const result = await executePlan(defs, plan, { runId: 'run-1', onEvent: (e) => log.push(e) });
 */
export async function executePlan(
  defs: Definitions,
  plan: ExecutionPlan,
  options: ExecuteOptions,
): Promise<ExecutionResult> {
  const { runId } = options;
  if (typeof runId !== 'string' || runId === '') {
    throw new CairnError('CAIRN_INVALID_OPTIONS', 'executePlan() needs a non-empty "runId".', {
      runId,
    });
  }
  const maxConcurrency = options.maxConcurrency ?? 4;
  if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1) {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      `maxConcurrency must be a whole number >= 1, got ${maxConcurrency}.`,
      { maxConcurrency },
    );
  }
  if (plan?.version !== 1 || !Array.isArray(plan.steps)) {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      `executePlan() needs a plan from buildPlan() (version 1), got version ${String(plan?.version)}. Rebuild the plan with this version of Cairn.`,
      { version: plan?.version },
    );
  }
  const config = validateRunConfig(defs, plan, options.config);
  const clock = options.clock ?? systemClock;
  const onEvent = options.onEvent;
  const aroundStep = options.aroundStep;
  let listenerError: unknown;
  const emit = (event: RunEvent) => {
    if (onEvent === undefined) return;
    try {
      onEvent(event);
    } catch (err) {
      // A throwing listener must not turn into a step failure; report it once the run is over.
      listenerError ??= err;
    }
  };
  const timestamp = () => clock.now().toISOString();
  const ioManagers = { ...defs.ioManagers, ...options.ioManagers };
  const ioByAsset = new Map<string, IOManager>();
  const outerSignal = options.signal;
  let runAborted: Promise<never> | undefined;
  if (outerSignal !== undefined) {
    runAborted = new Promise<never>((_, reject) => {
      const onAbort = () =>
        reject(
          new CairnError(
            'CAIRN_RUN_ABORTED',
            `Run "${runId}" was cancelled.`,
            { runId },
            outerSignal.reason === undefined ? undefined : { cause: outerSignal.reason },
          ),
        );
      if (outerSignal.aborted) onAbort();
      else outerSignal.addEventListener('abort', onAbort, { once: true });
    });
    runAborted.catch(() => {});
  }
  let resources: RunResources | undefined;
  const history = new RunHistory(options.history);
  const run: RunState = {
    defs,
    runId,
    clock,
    runSignal: outerSignal ?? NEVER,
    runAborted,
    history,
    config,
    random: options.random ?? Math.random,
    emit,
    timestamp,
    onValue: options.onValue,
    ioManagerFor(assetKey) {
      let io = ioByAsset.get(assetKey);
      if (io === undefined) {
        const name = defs.asset(assetKey).io;
        io = ioManagers[name];
        if (io === undefined) {
          throw new CairnError(
            'CAIRN_UNKNOWN_IO_MANAGER',
            `Asset "${assetKey}" uses IO manager "${name}", which is not defined (defined: ${Object.keys(ioManagers).join(', ')}). Add it to definitions({ ioManagers }) or materialize({ ioManagers }).`,
            { assetKey, ioManager: name },
          );
        }
        ioByAsset.set(assetKey, io);
      }
      return io;
    },
    resourcesOf(declared) {
      const names = Object.keys(declared);
      if (names.length === 0) return EMPTY as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const name of names) out[name] = resources?.values.get(name);
      return out;
    },
    check(id) {
      const c = defs.checks.get(id);
      if (c === undefined) {
        throw new CairnError(
          'CAIRN_INVALID_OPTIONS',
          `The plan names check "${id}", which these definitions do not have: rebuild the plan from the current definitions.`,
          { check: id },
        );
      }
      return c;
    },
  };

  const steps = plan.steps;
  const n = steps.length;
  // Resources needed by the steps that will run (asset and check declarations), set up once.
  // Looking every asset and check up here also rejects a stale persisted plan before it starts.
  const declared: [string, ResourceDefinition<any, any>][] = [];
  for (const step of steps) {
    if (step.mode !== 'run') continue;
    for (const k of step.assetKeys) declared.push(...Object.entries(defs.asset(k).resources));
    for (const id of step.checkIds) declared.push(...Object.entries(run.check(id).resources));
  }
  const started = clock.now();
  emit({
    type: 'run_started',
    runId,
    timestamp: started.toISOString(),
    stepKeys: steps.map((s) => s.key),
  });

  const status: StepStatus[] = new Array(n);
  const materializations: MaterializationEvent[] = [];
  const checkEvaluations: CheckEvaluationEvent[] = [];
  const failures: StepFailure[] = [];
  let blockingFailed = false;

  let setupError: CairnError | undefined;
  if (declared.length > 0) {
    try {
      resources = await setupResources(
        resolveResources(defs, declared, options.resources ?? {}),
        run.runSignal,
      );
    } catch (err) {
      setupError = err as CairnError;
      failures.push({ assetKeys: [], error: setupError });
      new StepLog(run, undefined, undefined, undefined).error(setupError.message, {
        error: serializeError(setupError),
      });
    }
  }

  if (setupError === undefined) {
    await scheduleSteps(steps, {
      maxConcurrency,
      stopReason: () => (run.runSignal.aborted ? `run "${runId}" was cancelled` : undefined),
      skip,
      reuse: (i) => {
        status[i] = 'reused';
      },
      start: (i) =>
        aroundStep === undefined
          ? runStep(run, steps[i]!)
          : aroundStep(steps[i]!, () => runStep(run, steps[i]!)),
      finished: (i, outcome) => {
        const step = steps[i]!;
        if (outcome.status === 'succeeded') {
          status[i] = 'succeeded';
          for (const m of outcome.materializations) materializations.push(m);
          for (const c of outcome.checks) checkEvaluations.push(c);
          if (outcome.blocked !== undefined) blockingFailed = true;
          return;
        }
        status[i] = outcome.status;
        const failure: StepFailure = {
          stepKey: step.key,
          assetKeys: step.assetKeys,
          error: outcome.error,
        };
        if (step.partitionKey !== undefined) failure.partitionKey = step.partitionKey;
        failures.push(failure);
      },
      // runStep reports failures as outcomes; this only catches a bug in the engine itself.
      crashed: (i, err) => ({
        status: 'failed',
        error: wrapUserError(err, `Step "${steps[i]!.key}"`, { step: steps[i]!.key }),
        attempts: 1,
      }),
    });
    const teardownErrors = (await resources?.teardown()) ?? [];
    for (const { name, error } of teardownErrors) {
      new StepLog(run, undefined, undefined, undefined).error(
        `Resource "${name}" failed to tear down: ${error instanceof Error ? error.message : String(error)}`,
        {
          resource: name,
          error: serializeError(error),
        },
      );
    }
  } else {
    for (let i = 0; i < n; i++) skip(i, `resource setup failed: ${setupError.message}`);
  }

  const counts: RunCounts = {
    steps: n,
    succeeded: 0,
    failed: 0,
    skipped: 0,
    reused: 0,
    materializations: materializations.length,
    checksPassed: checkEvaluations.filter((c) => c.passed).length,
    checksFailed: checkEvaluations.filter((c) => !c.passed).length,
  };
  const byKey: Record<string, StepStatus> = {};
  for (let i = 0; i < n; i++) {
    const s = status[i]!;
    byKey[steps[i]!.key] = s;
    if (s === 'succeeded') counts.succeeded++;
    else if (s === 'reused') counts.reused++;
    else if (s === 'skipped') counts.skipped++;
    else counts.failed++;
  }
  const canceled = outerSignal?.aborted === true;
  const success = !canceled && failures.length === 0 && !blockingFailed;
  const runStatus = canceled ? 'canceled' : success ? 'success' : 'failure';
  const finished = clock.now();
  emit({
    type: 'run_finished',
    runId,
    timestamp: finished.toISOString(),
    status: runStatus,
    counts,
    durationMs: finished.getTime() - started.getTime(),
  });
  if (listenerError !== undefined) throw listenerError;
  return {
    runId,
    status: runStatus,
    success,
    counts,
    steps: byKey,
    materializations,
    checkEvaluations,
    failures,
    history,
  };

  function skip(i: number, reason: string): void {
    const step = steps[i]!;
    status[i] = 'skipped';
    const event: StepSkippedEvent = {
      type: 'step_skipped',
      runId,
      timestamp: timestamp(),
      stepKey: step.key,
      assetKeys: step.assetKeys,
      reason,
    };
    if (step.partitionKey !== undefined) event.partitionKey = step.partitionKey;
    emit(event);
  }
}
