import type { AnyAssetDefinition } from '../asset-types.js';
import type { CheckContext, CheckResult } from '../checks/asset-check.js';
import { isCairnError } from '../errors.js';
import type { Metadata } from '../metadata.js';
import type { CheckEvaluationEvent } from './events.js';
import type { PartitionInfo } from './partition-info.js';
import type { PlanStep } from './plan.js';
import type { RunState } from './run-state.js';
import { StepLog } from './step-logger.js';
import { withLimits } from './with-limits.js';

/** The outcome of the checks of one asset partition. */
export interface ChecksOutcome {
  /** One evaluation per check, in declaration order. */
  evaluations: CheckEvaluationEvent[];
  /** Why downstream steps must be skipped (a failed blocking check of severity error), if so. */
  blockedReason: string | undefined;
}

function isCheckResult(x: unknown): x is CheckResult {
  return typeof x === 'object' && x !== null && typeof (x as CheckResult).passed === 'boolean';
}

/** The result a check that threw (or returned garbage) counts as: failed, with the error in metadata. */
function failedResult(err: unknown, checkId: string): CheckResult {
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  const metadata: Metadata = { error: message };
  if (err instanceof Error && err.stack) metadata.stack = err.stack;
  if (isCairnError(err)) metadata.code = err.code;
  return { passed: false, metadata, description: `Check "${checkId}" threw: ${message}` };
}

/**
 * Evaluates the checks of one asset partition just materialized by `step`, one after another.
 * A check that throws or times out counts as failed with the error in its metadata; it never
 * fails the step. Rethrows only when the run is cancelled.
 */
export async function runChecks(
  run: RunState,
  step: PlanStep,
  asset: AnyAssetDefinition,
  info: PartitionInfo,
): Promise<ChecksOutcome> {
  const evaluations: CheckEvaluationEvent[] = [];
  let blockedReason: string | undefined;
  const partitionKey = step.partitionKey;
  for (const id of step.checkIds) {
    const check = run.check(id);
    if (check.assetKey !== asset.key) continue;
    const io = run.ioManagerFor(asset.key);
    const base: Omit<CheckContext, 'signal'> = {
      assetKey: asset.key,
      checkName: check.name,
      partitionKey,
      partitionTimeWindow: info.timeWindow,
      loadValue: async () =>
        io.load({ assetKey: asset.key, partitionKey, runId: run.runId, signal: run.runSignal }),
      history: run.history,
      now: run.clock.now(),
      resources: run.resourcesOf(check.resources),
      log: new StepLog(run, step.key, asset.key, partitionKey),
      runId: run.runId,
    };
    let result: CheckResult;
    try {
      const out = await withLimits((signal) => check.fn({ ...base, signal }), {
        clock: run.clock,
        timeoutMs: check.timeoutMs,
        runSignal: run.runSignal,
        runAborted: run.runAborted,
        what: `Check "${check.id}"${partitionKey === undefined ? '' : ` on partition "${partitionKey}"`}`,
        details: { check: check.id, asset: asset.key, partitionKey },
      });
      result = isCheckResult(out)
        ? out
        : failedResult(
            new TypeError(
              `returned ${JSON.stringify(out) ?? String(out)} instead of { passed: boolean }`,
            ),
            check.id,
          );
    } catch (err) {
      if (run.runSignal.aborted) throw err;
      result = failedResult(err, check.id);
    }
    const severity = result.severity ?? check.severity;
    const event: CheckEvaluationEvent = {
      type: 'check_evaluation',
      runId: run.runId,
      timestamp: run.timestamp(),
      stepKey: step.key,
      assetKey: asset.key,
      checkId: check.id,
      checkName: check.name,
      passed: result.passed,
      severity,
      blocking: check.blocking,
      metadata: result.metadata ?? {},
    };
    if (partitionKey !== undefined) event.partitionKey = partitionKey;
    const description = result.description ?? check.description;
    if (description !== undefined) event.description = description;
    run.emit(event);
    evaluations.push(event);
    if (!result.passed && severity === 'error' && check.blocking && blockedReason === undefined) {
      blockedReason = `blocking check "${check.id}" failed on asset "${asset.key}"${partitionKey === undefined ? '' : ` partition "${partitionKey}"`}`;
    }
  }
  return { evaluations, blockedReason };
}
