import type { ExecutionPlan } from '@cairn/core';
import type { Storage, StoredRunQueuedEvent } from '../storage/index.js';
import type { RunRequest } from './run-request.js';

/**
 * What re-execution from failure (and run retries) reuse: the parent's request and the steps
 * whose outputs exist.
 */

/** Steps of a run whose outputs exist: those that materialized, and those it reused itself. */
export async function reusableSteps(
  storage: Storage,
  runId: string,
  event: StoredRunQueuedEvent,
): Promise<string[]> {
  const reuse = new Set(event.reuseStepKeys ?? []);
  for (const step of await storage.getSteps(runId)) {
    if (step.status === 'succeeded' && step.materializations > 0) reuse.add(step.stepKey);
  }
  const planned = new Set((event.plan as ExecutionPlan | undefined)?.steps.map((s) => s.key));
  return [...reuse].filter((k) => planned.has(k));
}

/** The request that re-runs a queued run's selection and partitions, reusing `reuse`. */
export function requestOf(
  event: StoredRunQueuedEvent,
  reuse: string[],
  parentRunId: string,
): RunRequest {
  const request: RunRequest = {
    selection: typeof event.selection === 'string' ? event.selection : [...event.selection],
    tags: { ...(event.tags ?? {}) },
    priority: event.priority ?? 0,
    parentRunId,
  };
  if (event.partitionKeys !== undefined) request.partitionKeys = [...event.partitionKeys];
  if (event.partitionRange !== undefined) {
    request.partitionRange = { from: event.partitionRange.start, to: event.partitionRange.end };
  }
  if (event.backfillId !== undefined) request.backfillId = event.backfillId;
  if (event.config !== undefined) request.config = event.config;
  if (event.maxRetries !== undefined) request.maxRetries = event.maxRetries;
  if (reuse.length > 0) request.reuseStepKeys = reuse;
  return request;
}
