import { type AnyAssetDefinition, CairnError } from '@cairn/core';
import type { PartitionStatus, PartitionStatusCounts, Storage } from '../storage/index.js';

type StoredCountsPage = PartitionStatusCounts;

import type { ApiDaemon } from './api-daemon.js';

/** Reads about one asset that several routes share: partition checks, check summaries, ranges. */

/** The asset's partition key, validated: 404 when it is not one of the asset's partitions. */
export function requirePartition(
  daemon: ApiDaemon,
  asset: AnyAssetDefinition,
  partitionKey: string | undefined,
): string | undefined {
  if (partitionKey === undefined) return undefined;
  if (asset.partitions === undefined || !asset.partitions.has(partitionKey, contextOf(daemon))) {
    throw new CairnError(
      'CAIRN_UNKNOWN_PARTITION',
      asset.partitions === undefined
        ? `Asset "${asset.key}" is not partitioned; drop the partition parameter.`
        : `"${partitionKey}" is not a partition of asset "${asset.key}"; list its partitions with GET /api/assets/${encodeURIComponent(asset.key)}/partitions.`,
      { assetKey: asset.key, partitionKey },
    );
  }
  return partitionKey;
}

/** The partitions context of the daemon now (dynamic keys from storage). */
export function contextOf(daemon: ApiDaemon): { now: Date; dynamic: Storage } {
  return { now: new Date(), dynamic: daemon.storage };
}

/** One check of an asset with its latest result. */
export interface CheckSummary {
  checkId: string;
  name: string;
  severity: string;
  blocking: boolean;
  description: string | null;
  latest: Record<string, unknown> | null;
}

/** The checks of an asset with their latest result (on one partition, or the newest of any). */
export async function checkSummaries(
  daemon: ApiDaemon,
  assetKey: string,
  partitionKey?: string,
): Promise<CheckSummary[]> {
  const checks = daemon.definitions.checksByAsset.get(assetKey) ?? [];
  const results = await daemon.storage.getCheckResults({
    assetKey,
    ...(partitionKey === undefined ? {} : { partitionKey }),
  });
  const latest = new Map<string, (typeof results)[number]>();
  for (const r of results) {
    const prev = latest.get(r.checkId);
    if (prev === undefined || r.eventId > prev.eventId) latest.set(r.checkId, r);
  }
  return checks.map((c) => {
    const r = latest.get(c.id);
    return {
      checkId: c.id,
      name: c.name,
      severity: c.severity,
      blocking: c.blocking,
      description: c.description ?? null,
      latest: r === undefined ? null : { ...r },
    };
  });
}

/** One range of partitions sharing a status; `endIndex` is exclusive. */
export interface ApiRange {
  startIndex: number;
  endIndex: number;
  startKey: string | null;
  endKey: string | null;
  status: 'materialized' | 'failed' | 'inProgress' | 'missing';
}

const TO_API = {
  materialized: 'materialized',
  failed: 'failed',
  in_progress: 'inProgress',
} as const;
const TO_STORED = {
  materialized: 'materialized',
  failed: 'failed',
  inProgress: 'in_progress',
} as const;

/**
 * A page of an asset's status ranges from index `offset`: the stored ranges (never one row per
 * partition) with the gaps between them reported as `missing` ranges.
 */
export async function partitionRanges(
  daemon: ApiDaemon,
  asset: AnyAssetDefinition,
  opts: { offset: number; limit: number; status?: ApiRange['status'] },
): Promise<{
  ranges: ApiRange[];
  nextOffset: number | null;
  total: number;
  counts: StoredCountsPage;
}> {
  const ctx = contextOf(daemon);
  const defn = asset.partitions;
  const total = defn === undefined ? 1 : defn.count(ctx);
  const keyAt = (i: number): string | null => {
    if (defn === undefined || i < 0 || i >= total) return null;
    try {
      return defn.keyAt(i, ctx);
    } catch {
      return null;
    }
  };
  const range = (start: number, end: number, status: ApiRange['status']): ApiRange => ({
    startIndex: start,
    endIndex: end,
    startKey: keyAt(start),
    endKey: keyAt(end - 1),
    status,
  });
  const storage = daemon.storage;
  if (opts.status !== undefined && opts.status !== 'missing') {
    const page = await storage.getPartitionStatus(asset.key, {
      fromIndex: opts.offset,
      limit: opts.limit,
      status: TO_STORED[opts.status] as PartitionStatus,
    });
    return {
      total,
      counts: page.counts,
      ranges: page.ranges.map((r) => range(r.startIndex, r.endIndex, TO_API[r.status])),
      nextOffset: page.nextCursor ?? null,
    };
  }
  const out: ApiRange[] = [];
  const want = (s: ApiRange['status']) => opts.status === undefined || opts.status === s;
  let cursor = opts.offset;
  let counts: StoredCountsPage = { materialized: 0, failed: 0, in_progress: 0 };
  // A stored range that starts before the offset but covers it: report its tail first.
  const floor =
    cursor === 0
      ? undefined
      : await storage.db
          .selectFrom('partition_ranges')
          .select(['start_index', 'end_index', 'status'])
          .where('asset_key', '=', asset.key)
          .where('start_index', '<', cursor)
          .where('end_index', '>', cursor)
          .executeTakeFirst();
  if (floor !== undefined) {
    if (want(TO_API[floor.status]))
      out.push(range(cursor, Number(floor.end_index), TO_API[floor.status]));
    cursor = Number(floor.end_index);
  }
  for (;;) {
    const page = await storage.getPartitionStatus(asset.key, { fromIndex: cursor, limit: 1000 });
    counts = page.counts;
    if (out.length >= opts.limit) return { total, counts, ranges: out, nextOffset: cursor };
    for (const r of page.ranges) {
      if (r.startIndex > cursor && want('missing')) {
        out.push(range(cursor, r.startIndex, 'missing'));
        if (out.length >= opts.limit)
          return { total, counts, ranges: out, nextOffset: r.startIndex };
      }
      if (want(TO_API[r.status])) out.push(range(r.startIndex, r.endIndex, TO_API[r.status]));
      cursor = r.endIndex;
      if (out.length >= opts.limit) return { total, counts, ranges: out, nextOffset: cursor };
    }
    if (page.nextCursor === undefined) break;
  }
  if (cursor < total && defn !== undefined && want('missing'))
    out.push(range(cursor, total, 'missing'));
  return { total, counts, ranges: out, nextOffset: null };
}
