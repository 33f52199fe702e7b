import type {
  AnyAssetDefinition,
  Definitions,
  PartitionsContext,
  PartitionsDefinition,
} from '@cairn/core';
import { z } from 'zod';
import { DaemonError } from '../errors.js';
import type { Storage, StoredBackfillChunk } from '../storage/index.js';
import type { BackfillPartitionSet, BackfillRequest } from './backfill-types.js';
import { chunkGroup, maxPartitionsPerRun } from './chunk-partitions.js';

/**
 * Turns a backfill request into its chunks, validating everything first so that a bad request
 * records nothing: the selection must name partitioned, computable assets, and explicit keys and
 * ranges must be partitions of every selected asset.
 *
 * Assets are grouped by partitions definition (and by depth, so a group never depends on a later
 * one): each group is chunked with its own keys, and groups run one after the other, so an
 * hourly asset's partitions are all done before the daily asset downstream of it starts.
 */

/** Most asset partitions one backfill may hold (its ledger rows); larger ones are split by the caller. */
export const MAX_BACKFILL_ROWS = 100_000;

const nonEmpty = z.string().min(1);

const requestSchema = z
  .object({
    selection: z.union([nonEmpty, z.array(nonEmpty).min(1)]),
    partitions: z.union([
      z.array(nonEmpty).min(1),
      z.object({ from: nonEmpty, to: nonEmpty }).strict(),
      z.enum(['all', 'missing', 'failed']),
    ]),
    backfillId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,100}$/)
      .optional(),
    maxRunsInFlight: z.number().int().min(1).max(10_000).optional(),
    priority: z.number().int().optional(),
    tags: z.record(z.string(), z.string()).optional(),
    maxRetries: z.number().int().min(0).max(100).optional(),
    config: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** Validates a backfill request's shape (CAIRN_INVALID_BACKFILL naming the bad field). */
export function parseBackfillRequest(input: unknown): BackfillRequest {
  const parsed = requestSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? 'request' : issue.path.join('.');
    throw invalid(
      `invalid backfill request at "${where}": ${issue?.message ?? 'malformed'}. Fix that field (partitions: keys, { from, to }, "all", "missing" or "failed"; backfillId: letters, digits, _ and -).`,
      { path: issue?.path.map(String) ?? [] },
    );
  }
  return parsed.data as BackfillRequest;
}

/** The chunks of a backfill and the assets it covers. */
export interface BackfillPlan {
  assetKeys: string[];
  chunks: StoredBackfillChunk[];
  rows: number;
}

/** Plans a validated request against the definitions and the current partition status. */
export async function planBackfill(
  defs: Definitions,
  storage: Storage,
  request: BackfillRequest,
  pctx: PartitionsContext,
): Promise<BackfillPlan> {
  const assets = selectAssets(defs, request.selection);
  const chunks: StoredBackfillChunk[] = [];
  let rows = 0;
  const groups = groupAssets(assets);
  for (let g = 0; g < groups.length; g++) {
    const group = groups[g]!;
    const keysByAsset = new Map<string, readonly string[]>();
    for (const a of group.assets) {
      const keys = await keysOf(storage, a, group.partitions, request.partitions, pctx);
      rows += keys.length;
      if (rows > MAX_BACKFILL_ROWS) {
        throw invalid(
          `the backfill covers more than ${MAX_BACKFILL_ROWS} asset partitions; split it into several backfills (by range or by selection).`,
          { max: MAX_BACKFILL_ROWS },
        );
      }
      if (keys.length > 0) keysByAsset.set(a.key, keys);
    }
    const max = maxPartitionsPerRun(group.assets.map((a) => a.backfillPolicy));
    chunks.push(...chunkGroup(g, keysByAsset, max, (key) => group.partitions.indexOf(key, pctx)));
  }
  if (rows === 0) {
    throw invalid(
      `the backfill selects no partition: no partition of ${assets.map((a) => `"${a.key}"`).join(', ')} is ${String(request.partitions)} now. Nothing was recorded.`,
      { partitions: request.partitions },
    );
  }
  // Renumber groups densely (a group with nothing to do leaves no chunk).
  const dense = new Map<number, number>();
  for (const c of chunks) if (!dense.has(c.group)) dense.set(c.group, dense.size);
  return {
    assetKeys: assets.map((a) => a.key),
    chunks: chunks.map((c) => ({ ...c, group: dense.get(c.group)! })),
    rows,
  };
}

function invalid(problem: string, details: Record<string, unknown>, cause?: unknown): DaemonError {
  return new DaemonError(
    'CAIRN_INVALID_BACKFILL',
    `Cannot create the backfill: ${problem}`,
    details,
    cause === undefined ? undefined : { cause },
  );
}

function selectAssets(
  defs: Definitions,
  selection: string | readonly string[],
): AnyAssetDefinition[] {
  let keys: string[];
  try {
    keys =
      typeof selection === 'string'
        ? defs.select(selection)
        : selection.map((key) => defs.asset(key).key);
  } catch (err) {
    throw invalid(
      `${err instanceof Error ? err.message : String(err)} Nothing was recorded.`,
      { selection },
      err,
    );
  }
  const wanted = new Set(keys);
  // Topological order, whatever order the caller listed them in.
  const assets = [...defs.assets.values()].filter((a) => wanted.has(a.key));
  if (assets.length === 0) {
    throw invalid(`the selection ${JSON.stringify(selection)} matches no asset.`, { selection });
  }
  for (const a of assets) {
    if (a.external || a.compute === undefined) {
      throw invalid(
        `asset "${a.key}" is external: Cairn does not compute it, so it cannot be backfilled. Leave it out of the selection.`,
        { assetKey: a.key },
      );
    }
    if (a.partitions === undefined) {
      throw invalid(
        `asset "${a.key}" is not partitioned; a backfill materializes partitions. Materialize it with a run, or leave it out of the selection.`,
        { assetKey: a.key },
      );
    }
  }
  return assets;
}

interface AssetGroup {
  partitions: PartitionsDefinition;
  assets: AnyAssetDefinition[];
}

/** Groups assets (in topological order) by partitions definition and depth, in run order. */
function groupAssets(assets: readonly AnyAssetDefinition[]): AssetGroup[] {
  const definitions: PartitionsDefinition[] = [];
  const defIndex = (pd: PartitionsDefinition): number => {
    const i = definitions.findIndex((d) => d === pd || d.equals(pd));
    if (i >= 0) return i;
    definitions.push(pd);
    return definitions.length - 1;
  };
  const byKey = new Map(assets.map((a) => [a.key, a]));
  const level = new Map<string, number>();
  const groups = new Map<string, AssetGroup & { level: number; order: number }>();
  for (const a of assets) {
    const mine = defIndex(a.partitions!);
    // A dependency on another definition must finish first: one level deeper.
    let depth = 0;
    for (const dep of a.deps) {
      const up = byKey.get(dep.key);
      if (up === undefined) continue;
      const step = defIndex(up.partitions!) === mine ? 0 : 1;
      depth = Math.max(depth, (level.get(up.key) ?? 0) + step);
    }
    level.set(a.key, depth);
    const id = `${depth}:${mine}`;
    let group = groups.get(id);
    if (group === undefined) {
      group = { partitions: a.partitions!, assets: [], level: depth, order: groups.size };
      groups.set(id, group);
    }
    group.assets.push(a);
  }
  return [...groups.values()]
    .sort((x, y) => x.level - y.level || x.order - y.order)
    .map(({ partitions, assets: list }) => ({ partitions, assets: list }));
}

/** The keys of `set` for one asset, in partition order. */
async function keysOf(
  storage: Storage,
  a: AnyAssetDefinition,
  pd: PartitionsDefinition,
  set: BackfillPartitionSet,
  pctx: PartitionsContext,
): Promise<string[]> {
  if (set === 'all') return pd.slice(0, pd.count(pctx), pctx);
  if (set === 'missing' || set === 'failed') return keysByStatus(storage, a.key, pd, set, pctx);
  if (Array.isArray(set)) {
    const keys = [...new Set(set as readonly string[])];
    const unknown = keys.find((k) => !pd.has(k, pctx));
    if (unknown !== undefined) {
      throw invalid(
        `"${unknown}" is not a partition of asset "${a.key}" (its keys look like ${JSON.stringify(pd.slice(0, 3, pctx))}). Fix the key, or select assets that have it.`,
        { assetKey: a.key, partitionKey: unknown },
      );
    }
    return keys.sort((x, y) => pd.indexOf(x, pctx) - pd.indexOf(y, pctx));
  }
  const range = set as { from: string; to: string };
  try {
    return pd.range(range.from, range.to, pctx);
  } catch (err) {
    throw invalid(
      `the range "${range.from}" to "${range.to}" does not fit asset "${a.key}": ${err instanceof Error ? err.message : String(err)}`,
      { assetKey: a.key, range },
      err,
    );
  }
}

/** Keys whose stored status is failed, or that have no status (missing), read from the ranges. */
async function keysByStatus(
  storage: Storage,
  assetKey: string,
  pd: PartitionsDefinition,
  status: 'missing' | 'failed',
  pctx: PartitionsContext,
): Promise<string[]> {
  const count = pd.count(pctx);
  const keys: string[] = [];
  let covered = 0;
  let fromIndex: number | undefined = 0;
  while (fromIndex !== undefined) {
    const page = await storage.getPartitionStatus(assetKey, { fromIndex, limit: 10_000 });
    for (const range of page.ranges) {
      const start = Math.min(range.startIndex, count);
      const end = Math.min(range.endIndex, count);
      if (status === 'missing' && start > covered) keys.push(...pd.slice(covered, start, pctx));
      if (status === 'failed' && range.status === 'failed' && end > start) {
        keys.push(...pd.slice(start, end, pctx));
      }
      covered = Math.max(covered, end);
    }
    fromIndex = page.nextCursor;
  }
  if (status === 'missing' && covered < count) keys.push(...pd.slice(covered, count, pctx));
  return keys;
}
