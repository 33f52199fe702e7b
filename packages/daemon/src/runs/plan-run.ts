import {
  buildPlan,
  type Definitions,
  type DynamicPartitionsReader,
  type ExecutionPlan,
} from '@cairn/core';
import type { RunRequest } from './run-request.js';

/** A run's plan and the concurrency pools its steps use. */
export interface PlannedRun {
  plan: ExecutionPlan;
  /** Pools of the assets of the steps that run (sorted, distinct). */
  pools: string[];
}

/**
 * Plans a request with core's `buildPlan`, so a bad selection or partition fails at submit with
 * core's error and no run is created.
 */
export function planRun(
  defs: Definitions,
  request: RunRequest,
  dynamic: DynamicPartitionsReader,
  now: Date,
): PlannedRun {
  const plan = buildPlan(defs, {
    selection: request.selection,
    ...(request.partitionKey === undefined ? {} : { partitionKey: request.partitionKey }),
    ...(request.partitionKeys === undefined ? {} : { partitionKeys: request.partitionKeys }),
    ...(request.partitionRange === undefined ? {} : { partitionRange: request.partitionRange }),
    ...(request.reuseStepKeys === undefined ? {} : { reuse: request.reuseStepKeys }),
    dynamic,
    now,
  });
  return { plan, pools: poolsOf(defs, plan) };
}

/** The pools of the assets computed by `plan` (reused and skipped steps need no slot). */
export function poolsOf(defs: Definitions, plan: ExecutionPlan): string[] {
  const pools = new Set<string>();
  for (const step of plan.steps) {
    if (step.mode !== 'run') continue;
    for (const key of step.assetKeys) {
      const pool = defs.assets.get(key)?.pool;
      if (pool !== undefined) pools.add(pool);
    }
  }
  return [...pools].sort();
}
