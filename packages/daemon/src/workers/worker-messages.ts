import type { ExecutionPlan, RunEvent, SerializedError } from '@cairn/core';
import { z } from 'zod';
import type { UpstreamVersions } from './worker-pool-types.js';

/**
 * The IPC protocol between the pool (parent) and a worker process (child). Both sides validate
 * what they receive with these schemas: a message is data from another process, and the child
 * runs user code that could, in principle, call `process.send` itself.
 */

const serializedErrorSchema: z.ZodType<SerializedError> = z.lazy(() =>
  z.object({
    code: z.string().optional(),
    name: z.string(),
    message: z.string(),
    stack: z.string(),
    cause: serializedErrorSchema.optional(),
  }),
);

const metadataSchema = z.record(z.string(), z.unknown());
const base = { runId: z.string().min(1), timestamp: z.string().min(1) };
const stepBase = { ...base, stepKey: z.string().min(1), partitionKey: z.string().optional() };
const countsSchema = z.object({
  steps: z.number(),
  succeeded: z.number(),
  failed: z.number(),
  skipped: z.number(),
  reused: z.number(),
  materializations: z.number(),
  checksPassed: z.number(),
  checksFailed: z.number(),
});

// Loose objects: a newer core may add fields, which pass through to storage unchanged.
const runEventSchema = z.discriminatedUnion('type', [
  z.looseObject({ ...base, type: z.literal('run_started'), stepKeys: z.array(z.string()) }),
  z.looseObject({ ...stepBase, type: z.literal('step_started'), assetKeys: z.array(z.string()) }),
  z.looseObject({
    ...stepBase,
    type: z.literal('materialization'),
    assetKey: z.string(),
    metadata: metadataSchema,
    dataVersion: z.string(),
    codeVersion: z.string().optional(),
    inputDataVersions: z.record(z.string(), z.string()),
    depKeys: z.array(z.string()),
  }),
  z.looseObject({
    ...stepBase,
    type: z.literal('check_evaluation'),
    assetKey: z.string(),
    checkId: z.string(),
    checkName: z.string(),
    passed: z.boolean(),
    severity: z.enum(['warn', 'error']),
    blocking: z.boolean(),
    metadata: metadataSchema,
    description: z.string().optional(),
  }),
  z.looseObject({
    ...base,
    type: z.literal('log'),
    level: z.enum(['debug', 'info', 'warn', 'error']),
    message: z.string(),
    fields: z.record(z.string(), z.unknown()).optional(),
    stepKey: z.string().optional(),
    assetKey: z.string().optional(),
    partitionKey: z.string().optional(),
  }),
  z.looseObject({
    ...stepBase,
    type: z.literal('step_retry'),
    attempt: z.number(),
    delayMs: z.number(),
    error: serializedErrorSchema,
  }),
  z.looseObject({
    ...stepBase,
    type: z.literal('step_failed'),
    assetKeys: z.array(z.string()),
    attempts: z.number(),
    error: serializedErrorSchema,
  }),
  z.looseObject({
    ...stepBase,
    type: z.literal('step_skipped'),
    assetKeys: z.array(z.string()),
    reason: z.string(),
  }),
  z.looseObject({
    ...base,
    type: z.literal('run_finished'),
    status: z.enum(['success', 'failure', 'canceled']),
    counts: countsSchema,
    durationMs: z.number(),
  }),
]);

const planSchema = z.object({
  version: z.literal(1),
  assetKeys: z.array(z.string()),
  steps: z.array(
    z.object({
      key: z.string().min(1),
      node: z.string().min(1),
      assetKeys: z.array(z.string()).min(1),
      partitionKey: z.string().optional(),
      deps: z.array(z.string()),
      inputs: z.array(
        z.object({
          assetKey: z.string(),
          inputName: z.string().optional(),
          partitionKeys: z.array(z.string()).nullable(),
          many: z.boolean(),
        }),
      ),
      checkIds: z.array(z.string()),
      mode: z.enum(['run', 'reuse', 'skip']),
    }),
  ),
});

const upstreamVersionsSchema = z.record(
  z.string(),
  z.object({
    dataVersion: z.string(),
    timestamp: z.string().min(1),
    source: z.enum(['materialization', 'observation']),
    materialization: z
      .object({
        dataVersion: z.string(),
        timestamp: z.string().min(1),
        runId: z.string(),
        codeVersion: z.string().optional(),
        metadata: metadataSchema,
      })
      .optional(),
  }),
);

/** Parent → worker: run this plan. */
export interface ExecuteMessage {
  type: 'execute';
  runId: string;
  plan: ExecutionPlan;
  config?: Record<string, unknown>;
  tags?: Record<string, string>;
  /** Current versions of the upstream partitions the plan reads but does not compute. */
  upstreamVersions?: UpstreamVersions;
}

/** Parent → worker: abort the run's signal (a hard kill follows when it does not stop). */
export interface CancelMessage {
  type: 'cancel';
  runId: string;
  reason?: string;
}

/** What the parent sends. */
export type ParentMessage = ExecuteMessage | CancelMessage;

/** Worker → parent: the definitions loaded; per-asset time limits for the parent's watchdog. */
export interface ReadyMessage {
  type: 'ready';
  pid: number;
  /** `timeoutMs` of every asset that has one, by asset key. */
  timeouts: Record<string, number>;
  /** How long loading the definitions took, in ms. */
  loadMs: number;
}

/** Worker → parent: the definitions failed to load (the worker exits next). */
export interface LoadErrorMessage {
  type: 'load_error';
  error: SerializedError;
}

/** Worker → parent: one event of the running run, in the order the engine emitted it. */
export interface EventMessage {
  type: 'event';
  event: RunEvent;
}

/** Worker → parent: the run ended and every event was sent before this message. */
export interface DoneMessage {
  type: 'done';
  runId: string;
  status: 'success' | 'failure' | 'canceled';
  /** Set when executePlan threw before running anything (invalid plan or run config). */
  error?: SerializedError;
}

/** What the worker sends. */
export type WorkerMessage = ReadyMessage | LoadErrorMessage | EventMessage | DoneMessage;

const parentMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('execute'),
    runId: z.string().min(1),
    plan: planSchema,
    config: z.record(z.string(), z.unknown()).optional(),
    tags: z.record(z.string(), z.string()).optional(),
    upstreamVersions: upstreamVersionsSchema.optional(),
  }),
  z.object({ type: z.literal('cancel'), runId: z.string().min(1), reason: z.string().optional() }),
]);

const workerMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('ready'),
    pid: z.number().int(),
    timeouts: z.record(z.string(), z.number().positive()),
    loadMs: z.number(),
  }),
  z.object({ type: z.literal('load_error'), error: serializedErrorSchema }),
  z.object({ type: z.literal('event'), event: runEventSchema }),
  z.object({
    type: z.literal('done'),
    runId: z.string().min(1),
    status: z.enum(['success', 'failure', 'canceled']),
    error: serializedErrorSchema.optional(),
  }),
]);

/** Validates a message received by the worker; returns an explanation when it is malformed. */
export function parseParentMessage(
  raw: unknown,
): { ok: true; message: ParentMessage } | { ok: false; error: string } {
  const result = parentMessageSchema.safeParse(raw);
  if (result.success) return { ok: true, message: result.data as ParentMessage };
  return { ok: false, error: z.prettifyError(result.error) };
}

/** Validates a message received by the pool; returns an explanation when it is malformed. */
export function parseWorkerMessage(
  raw: unknown,
): { ok: true; message: WorkerMessage } | { ok: false; error: string } {
  const result = workerMessageSchema.safeParse(raw);
  if (result.success) return { ok: true, message: result.data as WorkerMessage };
  return { ok: false, error: z.prettifyError(result.error) };
}
