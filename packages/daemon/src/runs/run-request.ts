import { z } from 'zod';
import { DaemonError } from '../errors.js';

/** What `submit()` accepts: a selection × partitions, with queueing and retry options. */
export interface RunRequest {
  /** A selection string (`*`, `shop/*`, `+revenue`...) or exact asset keys. */
  selection: string | string[];
  /** One partition. */
  partitionKey?: string;
  /** Several partitions. */
  partitionKeys?: string[];
  /** Partitions from `from` to `to`, both inclusive. */
  partitionRange?: { from: string; to: string };
  /** Tags of the run (tag concurrency limits match on them). Default `{}`. */
  tags?: Record<string, string>;
  /** Higher runs are dequeued first. Default 0. */
  priority?: number;
  /** Submitting the same key again returns the existing run instead of creating one. */
  idempotencyKey?: string;
  /** The backfill this run belongs to. */
  backfillId?: string;
  /** Run config by asset key. */
  config?: Record<string, unknown>;
  /** Automatic re-runs (from failure) when the run dies with its worker or the daemon. Default 0. */
  maxRetries?: number;
  /** The run this one re-executes. */
  parentRunId?: string;
  /** Step keys whose stored outputs are reused instead of recomputed (re-execution from failure). */
  reuseStepKeys?: string[];
}

/** What `submit()` resolves with. */
export interface SubmitResult {
  runId: string;
  /** False when an earlier run with the same idempotency key was returned. */
  created: boolean;
}

const nonEmpty = z.string().min(1);

const runRequestSchema = z
  .object({
    selection: z.union([nonEmpty, z.array(nonEmpty).min(1)]),
    partitionKey: nonEmpty.optional(),
    partitionKeys: z.array(nonEmpty).min(1).optional(),
    partitionRange: z.object({ from: nonEmpty, to: nonEmpty }).strict().optional(),
    tags: z.record(z.string(), z.string()).optional(),
    priority: z.number().int().optional(),
    idempotencyKey: nonEmpty.optional(),
    backfillId: nonEmpty.optional(),
    config: z.record(z.string(), z.unknown()).optional(),
    maxRetries: z.number().int().min(0).max(100).optional(),
    parentRunId: nonEmpty.optional(),
    reuseStepKeys: z.array(nonEmpty).optional(),
  })
  .strict();

/** Validates a submitted request (the API and the CLI pass user input straight through). */
export function parseRunRequest(input: unknown): RunRequest {
  const parsed = runRequestSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? 'request' : issue.path.join('.');
    throw new DaemonError(
      'CAIRN_INVALID_OPTIONS',
      `submit(): invalid run request at "${where}": ${issue?.message ?? 'malformed'}. Fix that field and submit again.`,
      { path: issue?.path.map(String) ?? [], issues: parsed.error.issues },
    );
  }
  return parsed.data as RunRequest;
}
