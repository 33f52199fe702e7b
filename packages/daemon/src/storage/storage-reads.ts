import type { Kysely, Selectable } from 'kysely';
import { DaemonError } from '../errors.js';
import type {
  AssetPartitionState,
  CheckResult,
  EventPage,
  PartitionStatusPage,
  PartitionStatusQuery,
  RunRecord,
  StepRecord,
} from './records.js';
import type {
  AssetPartitionsTable,
  CairnDatabase,
  PartitionStatus,
  RunStatus,
  RunsTable,
  StepsTable,
} from './schema.js';
import type { EventRecord, StoredEvent, StoredEventType } from './stored-event.js';

/**
 * The read side of the storage, in dialect-agnostic kysely. Every list is paged by a cursor on
 * an indexed column, so a page costs the same on the first and the millionth row.
 */

type Db = Kysely<CairnDatabase>;

const STATUSES: readonly PartitionStatus[] = ['materialized', 'failed', 'in_progress'];

function pageLimit(limit: number | undefined, fallback: number, max: number): number {
  const n = limit ?? fallback;
  if (!Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new DaemonError(
      'CAIRN_INVALID_OPTIONS',
      `A page limit must be an integer from 1 to ${max}, got ${String(limit)}.`,
      { option: 'limit', value: limit, max },
    );
  }
  return n;
}

function toRecords(rows: { id: number; payload: string }[]): EventRecord[] {
  return rows.map((r) => ({ id: Number(r.id), event: JSON.parse(r.payload) as StoredEvent }));
}

function page(records: EventRecord[], limit: number): EventPage {
  const last = records[records.length - 1];
  return records.length === limit && last !== undefined
    ? { records, nextCursor: last.id }
    : { records };
}

/** Events of one run in log order, after id `afterId`. */
export async function readEventsForRun(
  db: Db,
  runId: string,
  opts: { afterId?: number; limit?: number } = {},
): Promise<EventPage> {
  const limit = pageLimit(opts.limit, 1000, 10_000);
  const rows = await db
    .selectFrom('event_log')
    .select(['id', 'payload'])
    .where('run_id', '=', runId)
    .where('id', '>', opts.afterId ?? 0)
    .orderBy('id')
    .limit(limit)
    .execute();
  return page(toRecords(rows), limit);
}

/** Events after id `afterId` in log order (what a live stream polls), optionally of some types. */
export async function readEventsAfter(
  db: Db,
  afterId: number,
  opts: { limit?: number; types?: readonly StoredEventType[] } = {},
): Promise<EventPage> {
  const limit = pageLimit(opts.limit, 1000, 10_000);
  let query = db
    .selectFrom('event_log')
    .select(['id', 'payload'])
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit);
  if (opts.types !== undefined && opts.types.length > 0) {
    query = query.where('type', 'in', [...opts.types]);
  }
  return page(toRecords(await query.execute()), limit);
}

/** The id of the last committed event (0 for an empty log). */
export async function readLastEventId(db: Db): Promise<number> {
  const row = await db
    .selectFrom('event_log')
    .select((eb) => eb.fn.max('id').as('id'))
    .executeTakeFirst();
  return Number(row?.id ?? 0);
}

function toPartitionState(row: Selectable<AssetPartitionsTable>): AssetPartitionState {
  const state: AssetPartitionState = {
    assetKey: row.asset_key,
    partitionIndex: row.partition_index === null ? null : Number(row.partition_index),
    status: row.status,
    lastMaterializationEventId:
      row.last_materialization_event_id === null ? null : Number(row.last_materialization_event_id),
    lastObservationEventId:
      row.last_observation_event_id === null ? null : Number(row.last_observation_event_id),
    dataVersion: row.data_version,
    codeVersion: row.code_version,
    runId: row.run_id,
    updatedAt: row.updated_at,
  };
  if (row.partition_key !== '') state.partitionKey = row.partition_key;
  return state;
}

/** The latest state of one asset partition (omit `partitionKey` for unpartitioned assets). */
export async function readAssetPartition(
  db: Db,
  assetKey: string,
  partitionKey?: string,
): Promise<AssetPartitionState | undefined> {
  const row = await db
    .selectFrom('asset_partitions')
    .selectAll()
    .where('asset_key', '=', assetKey)
    .where('partition_key', '=', partitionKey ?? '')
    .executeTakeFirst();
  return row === undefined ? undefined : toPartitionState(row);
}

/** The latest materialization event of one asset partition, if it has one (and was not wiped). */
export async function readLatestMaterialization(
  db: Db,
  assetKey: string,
  partitionKey?: string,
): Promise<EventRecord | undefined> {
  const row = await db
    .selectFrom('asset_partitions as p')
    .innerJoin('event_log as e', 'e.id', 'p.last_materialization_event_id')
    .select(['e.id', 'e.payload'])
    .where('p.asset_key', '=', assetKey)
    .where('p.partition_key', '=', partitionKey ?? '')
    .executeTakeFirst();
  return row === undefined ? undefined : toRecords([row])[0];
}

/**
 * Materializations of an asset (optionally one partition), newest first, before id `beforeId`.
 * The log is append-only, so history includes materializations made before a wipe.
 */
export async function readMaterializationHistory(
  db: Db,
  assetKey: string,
  opts: { partitionKey?: string; beforeId?: number; limit?: number } = {},
): Promise<EventPage> {
  const limit = pageLimit(opts.limit, 100, 10_000);
  let query = db
    .selectFrom('event_log')
    .select(['id', 'payload'])
    .where('asset_key', '=', assetKey)
    .where('type', '=', 'materialization');
  if (opts.partitionKey !== undefined) query = query.where('partition_key', '=', opts.partitionKey);
  if (opts.beforeId !== undefined) query = query.where('id', '<', opts.beforeId);
  const rows = await query.orderBy('id', 'desc').limit(limit).execute();
  return page(toRecords(rows), limit);
}

/** A page of an asset's partition status ranges (by start index) and its per-status counts. */
export async function readPartitionStatus(
  db: Db,
  assetKey: string,
  opts: PartitionStatusQuery = {},
): Promise<PartitionStatusPage> {
  const limit = pageLimit(opts.limit, 1000, 10_000);
  let query = db
    .selectFrom('partition_ranges')
    .select(['start_index', 'end_index', 'status'])
    .where('asset_key', '=', assetKey)
    .where('start_index', '>=', opts.fromIndex ?? 0);
  if (opts.status !== undefined) query = query.where('status', '=', opts.status);
  const rows = await query.orderBy('start_index').limit(limit).execute();
  const countRows = await db
    .selectFrom('asset_status_counts')
    .select(['status', 'count'])
    .where('asset_key', '=', assetKey)
    .execute();
  return partitionStatusPage(rows, countRows, opts, limit);
}

/** Row shapes `partitionStatusPage` assembles (as both kysely and raw driver reads return them). */
type RangeRow = {
  start_index: number | bigint | string;
  end_index: number | bigint | string;
  status: PartitionStatus;
};
type CountRow = { status: PartitionStatus; count: number | bigint | string };

/** The page limit of `getPartitionStatus` (default 1000, at most 10,000), validated. */
export function partitionStatusLimit(limit: number | undefined): number {
  return pageLimit(limit, 1000, 10_000);
}

/** Assembles a `getPartitionStatus` page from its two reads (shared by the kysely and the prepared-statement paths). */
export function partitionStatusPage(
  rows: readonly RangeRow[],
  countRows: readonly CountRow[],
  opts: PartitionStatusQuery,
  limit: number,
): PartitionStatusPage {
  const counts: PartitionStatusPage['counts'] = { materialized: 0, failed: 0, in_progress: 0 };
  for (const row of countRows) {
    if (STATUSES.includes(row.status)) counts[row.status] = Number(row.count);
  }
  if (opts.totalPartitions !== undefined) {
    counts.missing = Math.max(
      0,
      opts.totalPartitions - counts.materialized - counts.failed - counts.in_progress,
    );
  }
  const ranges = rows.map((r) => ({
    startIndex: Number(r.start_index),
    endIndex: Number(r.end_index),
    status: r.status,
  }));
  const last = ranges[ranges.length - 1];
  return ranges.length === limit && last !== undefined
    ? { ranges, counts, nextCursor: last.endIndex }
    : { ranges, counts };
}

/** The latest result of checks, filtered by asset, check and/or partition. */
export async function readCheckResults(
  db: Db,
  filter: { assetKey?: string; checkId?: string; partitionKey?: string } = {},
): Promise<CheckResult[]> {
  let query = db.selectFrom('check_results').selectAll();
  if (filter.assetKey !== undefined) query = query.where('asset_key', '=', filter.assetKey);
  if (filter.checkId !== undefined) query = query.where('check_id', '=', filter.checkId);
  if (filter.partitionKey !== undefined) {
    query = query.where('partition_key', '=', filter.partitionKey);
  }
  const rows = await query.orderBy('check_id').orderBy('partition_key').execute();
  return rows.map((r) => {
    const result: CheckResult = {
      checkId: r.check_id,
      checkName: r.check_name,
      assetKey: r.asset_key,
      eventId: Number(r.event_id),
      runId: r.run_id,
      passed: Number(r.passed) === 1,
      severity: r.severity,
      blocking: Number(r.blocking) === 1,
      timestamp: r.timestamp,
    };
    if (r.partition_key !== '') result.partitionKey = r.partition_key;
    return result;
  });
}

function json<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

function toRun(r: Selectable<RunsTable>): RunRecord {
  return {
    runId: r.run_id,
    status: r.status,
    createdEventId: Number(r.created_event_id),
    backfillId: r.backfill_id,
    idempotencyKey: r.idempotency_key,
    priority: Number(r.priority),
    tags: json<Record<string, string>>(r.tags) ?? {},
    selection: json<string | string[]>(r.selection),
    partitionKeys: json<string[]>(r.partition_keys),
    partitionRange: json<{ start: string; end: string }>(r.partition_range),
    stepKeys: json<string[]>(r.step_keys),
    counts: json<Record<string, number>>(r.counts),
    queuedAt: r.queued_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
  };
}

/** One run. */
export async function readRun(db: Db, runId: string): Promise<RunRecord | undefined> {
  const row = await db
    .selectFrom('runs')
    .selectAll()
    .where('run_id', '=', runId)
    .executeTakeFirst();
  return row === undefined ? undefined : toRun(row);
}

/** Runs, newest first, filtered by status and/or backfill, before the run created at `beforeCursor`. */
export async function readRuns(
  db: Db,
  opts: { status?: RunStatus; backfillId?: string; beforeCursor?: number; limit?: number } = {},
): Promise<{ runs: RunRecord[]; nextCursor?: number }> {
  const limit = pageLimit(opts.limit, 100, 10_000);
  let query = db.selectFrom('runs').selectAll();
  if (opts.status !== undefined) query = query.where('status', '=', opts.status);
  if (opts.backfillId !== undefined) query = query.where('backfill_id', '=', opts.backfillId);
  if (opts.beforeCursor !== undefined) {
    query = query.where('created_event_id', '<', opts.beforeCursor);
  }
  const rows = await query.orderBy('created_event_id', 'desc').limit(limit).execute();
  const runs = rows.map(toRun);
  const last = runs[runs.length - 1];
  return runs.length === limit && last !== undefined
    ? { runs, nextCursor: last.createdEventId }
    : { runs };
}

function toStep(r: Selectable<StepsTable>): StepRecord {
  return {
    runId: r.run_id,
    stepKey: r.step_key,
    status: r.status,
    assetKeys: json<string[]>(r.asset_keys) ?? [],
    partitionKey: r.partition_key,
    attempts: Number(r.attempts),
    materializations: Number(r.materializations),
    startedAt: r.started_at,
    endedAt: r.ended_at,
    error: json<unknown>(r.error),
  };
}

/** The steps of a run, by step key. */
export async function readSteps(db: Db, runId: string): Promise<StepRecord[]> {
  const rows = await db
    .selectFrom('steps')
    .selectAll()
    .where('run_id', '=', runId)
    .orderBy('step_key')
    .execute();
  return rows.map(toStep);
}
