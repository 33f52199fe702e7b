import { z } from 'zod';
import { DaemonError } from '../errors.js';
import type { Storage, StoredRunQueuedEvent } from '../storage/index.js';

/**
 * The coordinator's own reads of the runs index and the log (dialect-agnostic kysely): what a
 * run was submitted with lives in its `run_queued` event, the source of truth.
 */

/** A run found by status, in submission order. */
export interface RunRef {
  runId: string;
  createdEventId: number;
}

/** The run created with `idempotencyKey` (the first, if several processes raced). */
export async function findRunByIdempotencyKey(
  storage: Storage,
  idempotencyKey: string,
): Promise<string | undefined> {
  const row = await storage.db
    .selectFrom('runs')
    .select('run_id')
    .where('idempotency_key', '=', idempotencyKey)
    .orderBy('created_event_id')
    .limit(1)
    .executeTakeFirst();
  return row?.run_id;
}

/** Runs in `status`, oldest submission first. */
export async function listRunsWithStatus(
  storage: Storage,
  status: 'queued' | 'started',
): Promise<RunRef[]> {
  const rows = await storage.db
    .selectFrom('runs')
    .select(['run_id', 'created_event_id'])
    .where('status', '=', status)
    .orderBy('created_event_id')
    .execute();
  return rows.map((r) => ({ runId: r.run_id, createdEventId: Number(r.created_event_id) }));
}

// The fields the coordinator relies on when it re-reads a run_queued event (other fields pass).
const queuedEventSchema = z.looseObject({
  type: z.literal('run_queued'),
  runId: z.string().min(1),
  selection: z.union([z.string(), z.array(z.string())]),
  tags: z.record(z.string(), z.string()).optional(),
  priority: z.number().optional(),
  plan: z
    .looseObject({ version: z.literal(1), steps: z.array(z.looseObject({ key: z.string() })) })
    .optional(),
  pools: z.array(z.string()).optional(),
  maxRetries: z.number().int().min(0).optional(),
  attempt: z.number().int().min(1).optional(),
});

/** The `run_queued` event a run was created by, or undefined for a run not queued by a daemon. */
export async function readQueuedEvent(
  storage: Storage,
  runId: string,
): Promise<{ seq: number; event: StoredRunQueuedEvent } | undefined> {
  const row = await storage.db
    .selectFrom('event_log')
    .select(['id', 'payload'])
    .where('run_id', '=', runId)
    .where('type', '=', 'run_queued')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const parsed = queuedEventSchema.safeParse(JSON.parse(row.payload));
  if (!parsed.success) {
    throw new DaemonError(
      'CAIRN_INVALID_EVENT',
      `The run_queued event #${row.id} of run ${runId} in ${storage.where} is malformed (${parsed.error.issues[0]?.message}); the database was written by another program or version. Cancel the run.`,
      { runId, eventId: Number(row.id) },
    );
  }
  return { seq: Number(row.id), event: parsed.data as unknown as StoredRunQueuedEvent };
}
