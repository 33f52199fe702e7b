import { z } from 'zod';
import { type ApiApp, type ApiContext, notAvailable } from '../api-context.js';
import { readStatusCounts } from '../api-reads.js';
import {
  apiPartitionStatus,
  assetKeyParams,
  cursorQuery,
  decodeCursor,
  encodeCursor,
  errorResponses,
  intQuery,
  limitQuery,
} from '../api-schemas.js';
import { checkSummaries, partitionRanges, requirePartition } from '../asset-reads.js';

const partitionKeyString = z.string().min(1).max(1000);

const checkSummarySchema = z.object({
  checkId: z.string(),
  name: z.string(),
  severity: z.string(),
  blocking: z.boolean(),
  description: z.string().nullable(),
  latest: z.record(z.string(), z.unknown()).nullable(),
});

/** Partition status, materializations, checks, staleness, wipe and report of one asset. */
export function assetRoutes(app: ApiApp, ctx: ApiContext): void {
  const { daemon } = ctx;
  const assetOf = (key: string) => daemon.definitions.asset(key);

  app.get(
    '/api/assets/:key/partitions',
    {
      schema: {
        summary: 'Partition status of an asset as ranges (paged by partition index)',
        tags: ['assets'],
        params: assetKeyParams,
        querystring: z.object({
          status: apiPartitionStatus.optional(),
          offset: intQuery(0, Number.MAX_SAFE_INTEGER)
            .optional()
            .describe('First partition index (default 0)'),
          limit: intQuery(1, 1000).optional().describe('Most ranges (default 100, max 1000)'),
        }),
        response: {
          200: z.object({
            total: z.number(),
            counts: z.object({
              materialized: z.number(),
              failed: z.number(),
              inProgress: z.number(),
              missing: z.number(),
            }),
            ranges: z.array(
              z.object({
                startIndex: z.number(),
                endIndex: z.number().describe('Exclusive'),
                startKey: z.string().nullable(),
                endKey: z.string().nullable().describe('Key of the last partition in the range'),
                status: apiPartitionStatus,
              }),
            ),
            nextOffset: z.number().nullable(),
          }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const asset = assetOf(request.params.key);
      const { status, offset = 0, limit = 100 } = request.query;
      // The cache keeps the serialized body: a hit costs no JSON.stringify (a string sent with a
      // JSON content type goes out as is).
      const body = await ctx.cache.get(
        `partitions\u0000${asset.key}\u0000${status}\u0000${offset}\u0000${limit}`,
        async () => {
          const page = await partitionRanges(daemon, asset, {
            offset,
            limit,
            ...(status === undefined ? {} : { status }),
          });
          // Partitioned: the counts came with the first page of ranges; unpartitioned: its one row.
          const c =
            asset.partitions === undefined
              ? await readStatusCounts(daemon.storage.db, asset.key, false)
              : {
                  materialized: page.counts.materialized,
                  failed: page.counts.failed,
                  inProgress: page.counts.in_progress,
                };
          const missing = Math.max(0, page.total - c.materialized - c.failed - c.inProgress);
          return JSON.stringify({
            total: page.total,
            counts: { ...c, missing },
            ranges: page.ranges,
            nextOffset: page.nextOffset,
          });
        },
      );
      // `as never`: the type provider types send() by the schema's object, not its JSON text.
      return reply.type('application/json; charset=utf-8').send(body as never);
    },
  );

  app.get(
    '/api/assets/:key/materializations',
    {
      schema: {
        summary: 'Materialization history of an asset, newest first, with metadata',
        tags: ['assets'],
        params: assetKeyParams,
        querystring: z.object({
          partition: partitionKeyString.optional(),
          limit: limitQuery,
          cursor: cursorQuery,
        }),
        response: {
          200: z.object({
            materializations: z.array(z.record(z.string(), z.unknown())),
            nextCursor: z.string().nullable(),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const asset = assetOf(request.params.key);
      const { partition, limit = 100, cursor } = request.query;
      const partitionKey = requirePartition(daemon, asset, partition);
      const beforeId = decodeCursor(cursor);
      const page = await daemon.storage.getMaterializationHistory(asset.key, {
        limit,
        ...(partitionKey === undefined ? {} : { partitionKey }),
        ...(beforeId === undefined ? {} : { beforeId }),
      });
      return {
        materializations: page.records.map((r) => ({ eventId: r.id, ...r.event })),
        nextCursor: encodeCursor(page.nextCursor),
      };
    },
  );

  app.get(
    '/api/assets/:key/checks',
    {
      schema: {
        summary: 'Checks of an asset with their latest result',
        tags: ['assets'],
        params: assetKeyParams,
        querystring: z.object({ partition: partitionKeyString.optional() }),
        response: { 200: z.object({ checks: z.array(checkSummarySchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const asset = assetOf(request.params.key);
      const partitionKey = requirePartition(daemon, asset, request.query.partition);
      return { checks: await checkSummaries(daemon, asset.key, partitionKey) };
    },
  );

  app.get(
    '/api/assets/:key/staleness',
    {
      schema: {
        summary: 'Staleness of an asset per partition, with causes',
        tags: ['assets'],
        params: assetKeyParams,
        querystring: z.object({
          partition: partitionKeyString.optional(),
          status: z.enum(['fresh', 'stale', 'missing', 'failed']).optional(),
          limit: limitQuery,
          cursor: cursorQuery,
        }),
        response: {
          200: z.object({
            counts: z.object({
              fresh: z.number(),
              stale: z.number(),
              missing: z.number(),
              failed: z.number().optional(),
            }),
            partitions: z.array(z.record(z.string(), z.unknown())),
            nextCursor: z.string().nullable(),
          }),
          ...errorResponses,
          501: errorResponses[500].describe('Staleness is not available on this daemon'),
        },
      },
    },
    async (request) => {
      const asset = assetOf(request.params.key);
      const staleness = daemon.staleness;
      if (staleness === undefined) throw notAvailable('staleness');
      const { partition, status, limit = 100, cursor } = request.query;
      const partitionKey = requirePartition(daemon, asset, partition);
      const counts = await staleness.summary(asset.key);
      if (partitionKey !== undefined || asset.partitions === undefined) {
        const e = await staleness.explain(asset.key, partitionKey);
        return {
          counts,
          partitions: [
            {
              partitionKey: partitionKey ?? null,
              status: e.status,
              causes: e.causes,
              explanation: e.text,
            },
          ],
          nextCursor: null,
        };
      }
      const after =
        cursor === undefined ? undefined : Buffer.from(cursor, 'base64url').toString('utf8');
      const page = (await staleness.partitions(asset.key, {
        limit,
        ...(status === undefined ? {} : { status }),
        ...(after === undefined ? {} : { after }),
      })) as unknown;
      const { partitions, next } = normalizeStalenessPage(page);
      return {
        counts,
        partitions,
        nextCursor:
          next === undefined || next === null
            ? null
            : Buffer.from(String(next)).toString('base64url'),
      };
    },
  );

  app.post(
    '/api/assets/:key/wipe',
    {
      schema: {
        summary: 'Wipes an asset (all partitions, or the listed ones)',
        tags: ['assets'],
        params: assetKeyParams,
        body: z
          .object({ partitionKeys: z.array(partitionKeyString).min(1).max(100_000).optional() })
          .strict()
          .nullish(),
        response: { 200: z.object({ wiped: z.number(), eventId: z.number() }), ...errorResponses },
      },
    },
    async (request) => {
      const asset = assetOf(request.params.key);
      const keys = request.body?.partitionKeys;
      if (keys !== undefined) for (const k of keys) requirePartition(daemon, asset, k);
      let wiped = keys?.length ?? 0;
      if (keys === undefined) {
        const c = await readStatusCounts(
          daemon.storage.db,
          asset.key,
          asset.partitions !== undefined,
        );
        wiped = c.materialized + c.failed + c.inProgress;
      }
      const eventId = await daemon.wipe(asset.key, keys);
      return { wiped, eventId };
    },
  );

  app.post(
    '/api/assets/:key/report',
    {
      schema: {
        summary: 'Reports an external materialization or observation',
        tags: ['assets'],
        params: assetKeyParams,
        body: z
          .object({
            kind: z.enum(['materialization', 'observation']),
            partitionKey: partitionKeyString.optional(),
            dataVersion: z.string().min(1).max(1000).optional(),
            metadata: z.record(z.string(), z.unknown()).optional(),
          })
          .strict(),
        response: { 201: z.object({ eventId: z.number() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const asset = assetOf(request.params.key);
      const { kind, ...rest } = request.body;
      requirePartition(daemon, asset, rest.partitionKey);
      const report = { assetKey: asset.key, ...rest };
      const eventId =
        kind === 'materialization'
          ? await daemon.reportMaterialization(report)
          : await daemon.reportObservation(report);
      return reply.status(201).send({ eventId });
    },
  );
}

/** Accepts `{ partitions, nextCursor }` or a plain array from `daemon.staleness.partitions`. */
function normalizeStalenessPage(page: unknown): {
  partitions: Record<string, unknown>[];
  next: unknown;
} {
  if (Array.isArray(page)) return { partitions: page as Record<string, unknown>[], next: null };
  const p = (page ?? {}) as { partitions?: unknown; nextCursor?: unknown; next?: unknown };
  return {
    partitions: Array.isArray(p.partitions) ? (p.partitions as Record<string, unknown>[]) : [],
    next: p.nextCursor ?? p.next ?? null,
  };
}
