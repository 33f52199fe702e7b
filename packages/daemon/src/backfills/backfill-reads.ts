import type { Kysely } from 'kysely';
import { z } from 'zod';
import { DaemonError } from '../errors.js';
import type { BackfillPartitionStatus, CairnDatabase } from '../storage/index.js';
import {
  type BackfillCounts,
  type BackfillPartitionRecord,
  type BackfillState,
  type BackfillStatus,
  emptyCounts,
} from './backfill-types.js';

/**
 * Reads of the backfill ledger, in dialect-agnostic kysely. Rows read back from storage are
 * validated (the request JSON) before the loop trusts them.
 */

type Db = Kysely<CairnDatabase>;

const requestJson = z.object({
  selection: z.union([z.string(), z.array(z.string())]),
  partitions: z.union([
    z.array(z.string()),
    z.object({ from: z.string(), to: z.string() }),
    z.enum(['all', 'missing', 'failed']),
  ]),
  options: z
    .object({
      maxRunsInFlight: z.number().optional(),
      priority: z.number().optional(),
      tags: z.record(z.string(), z.string()).optional(),
      maxRetries: z.number().optional(),
      config: z.record(z.string(), z.unknown()).optional(),
    })
    .default({}),
  groupEnds: z.array(z.number()).default([]),
});

/** The stored request of a backfill. */
export type StoredBackfillRequest = z.infer<typeof requestJson>;

/** The `backfills` row of a backfill, parsed. */
export interface BackfillRow {
  backfillId: string;
  createdAt: string;
  request: StoredBackfillRequest;
  chunks: number;
  canceled: boolean;
  passes: number;
}

/** Reads one backfill's row, or undefined when there is none. */
export async function readBackfillRow(
  db: Db,
  backfillId: string,
): Promise<BackfillRow | undefined> {
  const row = await db
    .selectFrom('backfills')
    .selectAll()
    .where('backfill_id', '=', backfillId)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const parsed = requestJson.safeParse(JSON.parse(row.request));
  if (!parsed.success) {
    throw new DaemonError(
      'CAIRN_INVALID_BACKFILL',
      `The stored request of backfill "${backfillId}" is malformed (${parsed.error.issues[0]?.message}); rebuild the indexes from the event log (rebuildIndexes()).`,
      { backfillId },
    );
  }
  return {
    backfillId: row.backfill_id,
    createdAt: row.created_at,
    request: parsed.data,
    chunks: Number(row.chunks),
    canceled: Number(row.canceled) === 1,
    passes: Number(row.passes),
  };
}

/** The state a backfill is in, from its flag and counts. */
export function backfillState(canceled: boolean, counts: BackfillCounts): BackfillState {
  const open = counts.requested + counts.in_progress;
  if (canceled) return counts.in_progress > 0 ? 'canceling' : 'canceled';
  if (open > 0) {
    const started = counts.in_progress + counts.materialized + counts.failed + counts.canceled;
    return started === 0 ? 'requested' : 'in_progress';
  }
  if (counts.failed > 0) return 'failed';
  if (counts.canceled > 0) return 'canceled';
  return 'completed';
}

/** The status and progress of one backfill, or undefined when there is none. */
export async function readBackfillStatus(
  db: Db,
  backfillId: string,
): Promise<BackfillStatus | undefined> {
  const row = await readBackfillRow(db, backfillId);
  if (row === undefined) return undefined;
  const grouped = await db
    .selectFrom('backfill_partitions')
    .select(['asset_key', 'status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('backfill_id', '=', backfillId)
    .groupBy(['asset_key', 'status'])
    .execute();
  const counts = emptyCounts();
  const assets: Record<string, BackfillCounts> = {};
  let total = 0;
  for (const g of grouped) {
    const n = Number(g.n);
    counts[g.status] += n;
    const perAsset = assets[g.asset_key] ?? emptyCounts();
    perAsset[g.status] += n;
    assets[g.asset_key] = perAsset;
    total += n;
  }
  const { selection, partitions, options } = row.request;
  return {
    backfillId,
    state: backfillState(row.canceled, counts),
    createdAt: row.createdAt,
    selection,
    partitions,
    options,
    chunks: row.chunks,
    passes: row.passes,
    total,
    counts,
    assets,
    runsInFlight: (await runsInFlight(db, backfillId)).length,
  };
}

/** Ids of backfills, newest first. */
export async function listBackfillIds(db: Db, limit = 100): Promise<string[]> {
  const rows = await db
    .selectFrom('backfills')
    .select('backfill_id')
    .orderBy('created_event_id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => r.backfill_id);
}

/** Ids of backfills with requested or in-progress rows: the ones the loop has work for. */
export async function activeBackfillIds(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('backfills as b')
    .select('b.backfill_id')
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('backfill_partitions as p')
          .select('p.chunk')
          .whereRef('p.backfill_id', '=', 'b.backfill_id')
          .where('p.status', 'in', ['requested', 'in_progress']),
      ),
    )
    .orderBy('b.created_event_id')
    .execute();
  return rows.map((r) => r.backfill_id);
}

/** The runs that own in-progress rows of a backfill (queued or running). */
export async function runsInFlight(db: Db, backfillId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('backfill_partitions')
    .select('run_id')
    .distinct()
    .where('backfill_id', '=', backfillId)
    .where('status', '=', 'in_progress')
    .execute();
  return rows.flatMap((r) => (r.run_id === null ? [] : [r.run_id]));
}

/** The first chunk that still has requested or in-progress rows. */
export async function firstOpenChunk(db: Db, backfillId: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('backfill_partitions')
    .select((eb) => eb.fn.min('chunk').as('chunk'))
    .where('backfill_id', '=', backfillId)
    .where('status', 'in', ['requested', 'in_progress'])
    .executeTakeFirst();
  return row?.chunk === null || row?.chunk === undefined ? undefined : Number(row.chunk);
}

/** The next chunks with requested rows, below chunk `before`, in order. */
export async function requestedChunks(
  db: Db,
  backfillId: string,
  before: number,
  limit: number,
): Promise<number[]> {
  const rows = await db
    .selectFrom('backfill_partitions')
    .select('chunk')
    .distinct()
    .where('backfill_id', '=', backfillId)
    .where('status', '=', 'requested')
    .where('chunk', '<', before)
    .orderBy('chunk')
    .limit(limit)
    .execute();
  return rows.map((r) => Number(r.chunk));
}

/** Ledger rows of a backfill in request order, optionally of one chunk and/or status. */
export async function readLedger(
  db: Db,
  backfillId: string,
  filter: { chunk?: number; status?: BackfillPartitionStatus; assetKey?: string } = {},
): Promise<BackfillPartitionRecord[]> {
  let query = db
    .selectFrom('backfill_partitions')
    .select(['asset_key', 'partition_key', 'chunk', 'status', 'run_id', 'attempts'])
    .where('backfill_id', '=', backfillId);
  if (filter.chunk !== undefined) query = query.where('chunk', '=', filter.chunk);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.assetKey !== undefined) query = query.where('asset_key', '=', filter.assetKey);
  const rows = await query.orderBy('position').execute();
  return rows.map((r) => ({
    assetKey: r.asset_key,
    partitionKey: r.partition_key,
    chunk: Number(r.chunk),
    status: r.status,
    runId: r.run_id,
    attempts: Number(r.attempts),
  }));
}
