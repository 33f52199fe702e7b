import type { Kysely } from 'kysely';
import type { CairnDatabase, RunRecord, RunStatus, Storage } from '../storage/index.js';

/**
 * Read queries only the API needs, in dialect-agnostic kysely over `storage.db` (the storage's
 * own reads cover single assets and runs; these cover "all assets at once" and run filters).
 */

type Db = Kysely<CairnDatabase>;

/** Partition counts of one asset by stored status. */
export interface StoredCounts {
  materialized: number;
  failed: number;
  inProgress: number;
}

/**
 * Counts of every asset in one pass: partitioned assets from `asset_status_counts` (maintained
 * with the ranges), unpartitioned ones from their single `asset_partitions` row.
 */
export async function readAllStatusCounts(db: Db): Promise<Map<string, StoredCounts>> {
  const out = new Map<string, StoredCounts>();
  const get = (key: string): StoredCounts => {
    let c = out.get(key);
    if (c === undefined) {
      c = { materialized: 0, failed: 0, inProgress: 0 };
      out.set(key, c);
    }
    return c;
  };
  const add = (key: string, status: string, n: number) => {
    if (status === 'materialized') get(key).materialized += n;
    else if (status === 'failed') get(key).failed += n;
    else if (status === 'in_progress') get(key).inProgress += n;
  };
  const [counts, plain] = await Promise.all([
    db.selectFrom('asset_status_counts').select(['asset_key', 'status', 'count']).execute(),
    db
      .selectFrom('asset_partitions')
      .select(['asset_key', 'status'])
      .where('partition_key', '=', '')
      .execute(),
  ]);
  for (const r of counts) add(r.asset_key, r.status, Number(r.count));
  for (const r of plain) add(r.asset_key, r.status, 1);
  return out;
}

/** Counts of one asset (same sources as `readAllStatusCounts`). */
export async function readStatusCounts(
  db: Db,
  assetKey: string,
  partitioned: boolean,
): Promise<StoredCounts> {
  const c: StoredCounts = { materialized: 0, failed: 0, inProgress: 0 };
  if (partitioned) {
    const rows = await db
      .selectFrom('asset_status_counts')
      .select(['status', 'count'])
      .where('asset_key', '=', assetKey)
      .execute();
    for (const r of rows) {
      if (r.status === 'materialized') c.materialized += Number(r.count);
      else if (r.status === 'failed') c.failed += Number(r.count);
      else if (r.status === 'in_progress') c.inProgress += Number(r.count);
    }
    return c;
  }
  const row = await db
    .selectFrom('asset_partitions')
    .select('status')
    .where('asset_key', '=', assetKey)
    .where('partition_key', '=', '')
    .executeTakeFirst();
  if (row?.status === 'materialized') c.materialized = 1;
  else if (row?.status === 'failed') c.failed = 1;
  else if (row?.status === 'in_progress') c.inProgress = 1;
  return c;
}

/**
 * Check ids whose latest result failed, by asset, in ONE query over `check_results` (the latest
 * result per check and partition): a failed row counts when no newer row of the same check exists
 * (the newest of any partition, as `checkSummaries` reports it). Uses the (check_id, partition_key)
 * primary key for the "newer" probe, and only failed rows are probed.
 */
export async function readFailingCheckIds(db: Db): Promise<Map<string, Set<string>>> {
  const rows = await db
    .selectFrom('check_results as c')
    .select(['c.asset_key', 'c.check_id'])
    .where('c.passed', '=', 0)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('check_results as n')
            .select('n.check_id')
            .whereRef('n.check_id', '=', 'c.check_id')
            .whereRef('n.event_id', '>', 'c.event_id'),
        ),
      ),
    )
    .execute();
  const out = new Map<string, Set<string>>();
  for (const r of rows) {
    let ids = out.get(r.asset_key);
    if (ids === undefined) {
      ids = new Set();
      out.set(r.asset_key, ids);
    }
    ids.add(r.check_id);
  }
  return out;
}

/** Filters of the runs list. */
export interface RunFilter {
  status?: RunStatus;
  backfillId?: string;
  assetKey?: string;
  partitionKey?: string;
  tag?: { key: string; value: string };
  beforeCursor?: number;
  limit: number;
}

// A tag filter is applied after reading (tags are JSON text here and jsonb on Postgres); at most
// this many runs are scanned per request, then the page ends early with a cursor to go on.
const TAG_SCAN_LIMIT = 10_000;

/** Runs newest first with the API's filters; the cursor is the last run's `createdEventId`. */
export async function readRunsFiltered(
  storage: Storage,
  filter: RunFilter,
): Promise<{ runs: RunRecord[]; nextCursor?: number }> {
  if (filter.assetKey === undefined && filter.partitionKey === undefined && !filter.tag) {
    return storage.getRuns({
      limit: filter.limit,
      ...(filter.status === undefined ? {} : { status: filter.status }),
      ...(filter.backfillId === undefined ? {} : { backfillId: filter.backfillId }),
      ...(filter.beforeCursor === undefined ? {} : { beforeCursor: filter.beforeCursor }),
    });
  }
  const db = storage.db;
  const out: RunRecord[] = [];
  let before = filter.beforeCursor;
  let scanned = 0;
  for (;;) {
    let q = db.selectFrom('runs').select('run_id').select('created_event_id');
    if (filter.status !== undefined) q = q.where('status', '=', filter.status);
    if (filter.backfillId !== undefined) q = q.where('backfill_id', '=', filter.backfillId);
    if (before !== undefined) q = q.where('created_event_id', '<', before);
    if (filter.assetKey !== undefined || filter.partitionKey !== undefined) {
      // Runs that wrote an event about the asset (partition): uses the event_log_asset indexes.
      const assetKey = filter.assetKey;
      const partitionKey = filter.partitionKey;
      q = q.where('run_id', 'in', (eb) => {
        let sub = eb.selectFrom('event_log').select('run_id').where('run_id', 'is not', null);
        if (assetKey !== undefined) sub = sub.where('asset_key', '=', assetKey);
        if (partitionKey !== undefined) sub = sub.where('partition_key', '=', partitionKey);
        return sub.$castTo<{ run_id: string }>();
      });
    }
    const batch = Math.max(filter.limit, 200);
    const rows = await q.orderBy('created_event_id', 'desc').limit(batch).execute();
    for (const row of rows) {
      scanned++;
      before = Number(row.created_event_id);
      const run = await storage.getRun(row.run_id);
      if (run === undefined) continue;
      if (filter.tag && run.tags[filter.tag.key] !== filter.tag.value) continue;
      out.push(run);
      if (out.length === filter.limit) return { runs: out, nextCursor: run.createdEventId };
    }
    if (rows.length < batch) return { runs: out };
    if (scanned >= TAG_SCAN_LIMIT) return { runs: out, nextCursor: before! };
  }
}
