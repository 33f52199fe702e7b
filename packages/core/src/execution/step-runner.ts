import { type AnyAssetDefinition, type AssetContext, isMaterializeResult } from '../asset-types.js';
import { CairnError, isCairnError } from '../errors.js';
import type { Metadata } from '../metadata.js';
import { defaultDataVersion, inputRef } from '../versioning/data-version.js';
import { runChecks } from './check-runner.js';
import type { CheckEvaluationEvent, MaterializationEvent } from './events.js';
import { partitionInfo } from './partition-info.js';
import type { PlanStep } from './plan.js';
import { retryDelay } from './retry-delay.js';
import type { RunState } from './run-state.js';
import { serializeError, wrapUserError } from './serialize-error.js';
import { StepLog } from './step-logger.js';
import { withLimits } from './with-limits.js';

/** How one step ended. */
export type StepOutcome =
  | {
      status: 'succeeded';
      materializations: MaterializationEvent[];
      checks: CheckEvaluationEvent[];
      /** Assets of the step whose blocking checks failed, with the reason naming the check. */
      blocked: Map<string, string> | undefined;
    }
  | { status: 'failed' | 'canceled'; error: CairnError; attempts: number };

// Deterministic failures: retrying cannot help, so they fail the step at once.
const NOT_RETRIED = new Set([
  'CAIRN_INPUT_NOT_FOUND',
  'CAIRN_RUN_ABORTED',
  'CAIRN_UNSAFE_PATH',
  'CAIRN_UNKNOWN_IO_MANAGER',
]);

interface Output {
  asset: AnyAssetDefinition;
  value: unknown;
  metadata: Metadata;
  dataVersion: string | undefined;
}

function describeStep(step: PlanStep): string {
  const what =
    step.assetKeys.length === 1
      ? `Asset "${step.assetKeys[0]}"`
      : `Multi-asset ${step.assetKeys.map((k) => `"${k}"`).join(', ')}`;
  return step.partitionKey === undefined ? what : `${what} partition "${step.partitionKey}"`;
}

/** The data versions of exactly the upstream partitions the step reads (unknown ones left out). */
function inputDataVersions(run: RunState, step: PlanStep): Record<string, string> {
  const out: Record<string, string> = {};
  for (const input of step.inputs) {
    for (const pk of input.partitionKeys ?? [undefined]) {
      const dv = run.history.dataVersionOf(input.assetKey, pk);
      if (dv !== undefined) out[inputRef(input.assetKey, pk)] = dv;
    }
  }
  return out;
}

/** Loads the data-passing inputs through each upstream's IO manager. */
async function loadInputs(run: RunState, step: PlanStep): Promise<Record<string, unknown>> {
  const inputs: Record<string, unknown> = {};
  for (const input of step.inputs) {
    const name = input.inputName;
    if (name === undefined) continue;
    const io = run.ioManagerFor(input.assetKey);
    const ctx = {
      assetKey: input.assetKey,
      partitionKey: undefined as string | undefined,
      runId: run.runId,
      signal: run.runSignal,
    };
    if (input.partitionKeys === null) {
      inputs[name] = await io.load(ctx);
    } else if (input.many) {
      const values = new Map<string, unknown>();
      for (const pk of input.partitionKeys) {
        ctx.partitionKey = pk;
        values.set(pk, await io.load(ctx));
      }
      inputs[name] = values;
    } else {
      const pk = input.partitionKeys[0];
      if (pk === undefined) {
        throw new CairnError(
          'CAIRN_INPUT_NOT_FOUND',
          `${describeStep(step)} reads input "${name}" from "${input.assetKey}", but its partition mapping maps it to no partition of "${input.assetKey}" (e.g. a time offset before the first partition). Run a later partition or change the mapping.`,
          { step: step.key, input: name, upstream: input.assetKey },
        );
      }
      ctx.partitionKey = pk;
      inputs[name] = await io.load(ctx);
    }
  }
  return inputs;
}

/** Splits what the function returned into one output per selected asset of the step. */
function outputsOf(assets: AnyAssetDefinition[], result: unknown, step: PlanStep): Output[] {
  const unwrap = (asset: AnyAssetDefinition, r: unknown): Output =>
    isMaterializeResult(r)
      ? { asset, value: r.value, metadata: r.metadata, dataVersion: r.dataVersion }
      : { asset, value: r, metadata: {}, dataVersion: undefined };
  const head = assets[0]!;
  if (head.multi === undefined) return [unwrap(head, result)];
  const names = Object.keys(head.multi.outputs);
  if (typeof result !== 'object' || result === null) {
    throw new CairnError(
      'CAIRN_STEP_FAILED',
      `${describeStep(step)} returned ${String(result)}; a multi-asset must return an object with one property per output (${names.join(', ')}).`,
      { step: step.key },
    );
  }
  return assets.map((asset) => {
    const name = asset.multi!.output;
    if (!(name in result)) {
      throw new CairnError(
        'CAIRN_STEP_FAILED',
        `${describeStep(step)} returned no "${name}" output for asset "${asset.key}"; return an object with one property per output (${names.join(', ')}).`,
        { step: step.key, output: name },
      );
    }
    return unwrap(asset, (result as Record<string, unknown>)[name]);
  });
}

/**
 * Runs one step: loads its inputs, calls the asset function with its context (retrying with
 * backoff and racing its time limit), stores each output through its IO manager, emits the
 * materializations and evaluates the asset checks. Never throws: failures become the outcome.
 */
export async function runStep(run: RunState, step: PlanStep): Promise<StepOutcome> {
  const defs = run.defs;
  const assets = step.assetKeys.map((k) => defs.asset(k));
  const head = assets[0]!;
  const partitionKey = step.partitionKey;
  const started = {
    type: 'step_started' as const,
    runId: run.runId,
    timestamp: run.timestamp(),
    stepKey: step.key,
    assetKeys: step.assetKeys,
    ...(partitionKey === undefined ? {} : { partitionKey }),
  };
  run.emit(started);
  const what = describeStep(step);
  const details = { step: step.key, assetKeys: step.assetKeys, partitionKey };
  const maxRetries = head.retry?.maxRetries ?? 0;
  let info: ReturnType<typeof partitionInfo>;
  let base: Omit<AssetContext, 'signal' | 'attempt'>;
  let versions: Record<string, string>;
  try {
    info = partitionInfo(head.partitions, partitionKey);
    versions = inputDataVersions(run, step);
    base = {
      assetKey: head.key,
      partitionKey,
      partitionTimeWindow: info.timeWindow,
      partitionDimensions: info.dimensions,
      config: run.config.get(step.node),
      resources: run.resourcesOf(head.resources),
      log: new StepLog(run, step.key, head.key, partitionKey),
      runId: run.runId,
    };
  } catch (err) {
    return fail(run, step, wrapUserError(err, what, details), 1);
  }
  const limits = {
    clock: run.clock,
    timeoutMs: head.timeoutMs,
    runSignal: run.runSignal,
    runAborted: run.runAborted,
    what,
    details,
  };
  for (let attempt = 1; ; attempt++) {
    let outputs: Output[];
    try {
      const inputs = await loadInputs(run, step);
      const result = await withLimits(
        (signal) => head.compute!(inputs, { ...base, signal, attempt }),
        limits,
      );
      outputs = outputsOf(assets, result, step);
      for (const out of outputs) {
        await run
          .ioManagerFor(out.asset.key)
          .store(
            { assetKey: out.asset.key, partitionKey, runId: run.runId, signal: run.runSignal },
            out.value,
          );
      }
    } catch (err) {
      if (run.runSignal.aborted) return fail(run, step, abortedError(run, what), attempt);
      const error = wrapUserError(err, what, details);
      if (attempt > maxRetries || NOT_RETRIED.has(error.code))
        return fail(run, step, error, attempt);
      const delayMs = retryDelay(head.retry!, attempt, run.random);
      const retry = {
        type: 'step_retry' as const,
        runId: run.runId,
        timestamp: run.timestamp(),
        stepKey: step.key,
        ...(partitionKey === undefined ? {} : { partitionKey }),
        attempt: attempt + 1,
        delayMs,
        error: serializeError(error),
      };
      run.emit(retry);
      try {
        await run.clock.sleep(delayMs, run.runSignal);
      } catch {
        return fail(run, step, abortedError(run, what), attempt);
      }
      continue;
    }
    return succeed(run, step, outputs, versions, info);
  }
}

async function succeed(
  run: RunState,
  step: PlanStep,
  outputs: Output[],
  versions: Record<string, string>,
  info: ReturnType<typeof partitionInfo>,
): Promise<StepOutcome> {
  const partitionKey = step.partitionKey;
  const materializations: MaterializationEvent[] = [];
  const depKeys = outputs[0]!.asset.deps.map((d) => d.key);
  for (const out of outputs) {
    const { asset } = out;
    const dataVersion = out.dataVersion ?? defaultDataVersion(asset.codeVersion, versions);
    const now = run.clock.now();
    const event: MaterializationEvent = {
      type: 'materialization',
      runId: run.runId,
      timestamp: now.toISOString(),
      stepKey: step.key,
      assetKey: asset.key,
      metadata: out.metadata,
      dataVersion,
      inputDataVersions: versions,
      depKeys,
    };
    if (partitionKey !== undefined) event.partitionKey = partitionKey;
    if (asset.codeVersion !== undefined) event.codeVersion = asset.codeVersion;
    run.history.record({
      assetKey: asset.key,
      partitionKey,
      timestamp: now,
      metadata: out.metadata,
      dataVersion,
      codeVersion: asset.codeVersion,
      runId: run.runId,
      inputDataVersions: versions,
      depKeys,
    });
    run.onValue?.(asset.key, partitionKey, out.value);
    run.emit(event);
    materializations.push(event);
  }
  let checks: CheckEvaluationEvent[] = [];
  let blocked: Map<string, string> | undefined;
  if (step.checkIds.length > 0) {
    try {
      for (const out of outputs) {
        const outcome = await runChecks(run, step, out.asset, info);
        checks = checks.concat(outcome.evaluations);
        if (outcome.blockedReason !== undefined) {
          blocked ??= new Map();
          blocked.set(out.asset.key, outcome.blockedReason);
        }
      }
    } catch {
      return fail(run, step, abortedError(run, describeStep(step)), 1);
    }
  }
  return { status: 'succeeded', materializations, checks, blocked };
}

function abortedError(run: RunState, what: string): CairnError {
  const reason = run.runSignal.reason;
  if (isCairnError(reason, 'CAIRN_RUN_ABORTED')) return reason;
  return new CairnError(
    'CAIRN_RUN_ABORTED',
    `${what} was stopped because run "${run.runId}" was cancelled.`,
    { runId: run.runId },
    reason === undefined ? undefined : { cause: reason },
  );
}

function fail(run: RunState, step: PlanStep, error: CairnError, attempts: number): StepOutcome {
  const event = {
    type: 'step_failed' as const,
    runId: run.runId,
    timestamp: run.timestamp(),
    stepKey: step.key,
    ...(step.partitionKey === undefined ? {} : { partitionKey: step.partitionKey }),
    assetKeys: step.assetKeys,
    attempts,
    error: serializeError(error),
  };
  run.emit(event);
  const status = error.code === 'CAIRN_RUN_ABORTED' ? 'canceled' : 'failed';
  return { status, error, attempts };
}
