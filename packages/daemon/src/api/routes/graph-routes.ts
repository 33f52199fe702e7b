import { z } from 'zod';
import type { ApiApp, ApiContext } from '../api-context.js';
import { assetKeyParams, assetNodeSchema, errorResponses } from '../api-schemas.js';
import { checkSummaries } from '../asset-reads.js';

const healthSchema = z.object({
  status: z.literal('ok'),
  version: z.string(),
  uptimeSeconds: z.number(),
});

const staleQuery = z
  .enum(['true', 'false'])
  .optional()
  .describe('Include status.stale (default true; one grouped query; false: stale is null)');

const edgeSchema = z.object({
  from: z.string(),
  to: z.string(),
  mapping: z.record(z.string(), z.unknown()),
});

/** GET /api/health, /api/graph, /api/assets and /api/assets/:key. */
export function graphRoutes(app: ApiApp, ctx: ApiContext): void {
  const { daemon, graph } = ctx;

  app.get(
    '/api/health',
    {
      schema: {
        summary: 'Liveness of the daemon (never needs a token)',
        tags: ['daemon'],
        response: { 200: healthSchema },
      },
    },
    async () => ({
      status: 'ok' as const,
      version: ctx.version,
      uptimeSeconds: Math.round((Date.now() - ctx.startedAt) / 1000),
    }),
  );

  app.get(
    '/api/graph',
    {
      schema: {
        summary: 'The asset graph: nodes with status summaries, and edges with their mappings',
        tags: ['assets'],
        querystring: z.object({
          select: z
            .string()
            .min(1)
            .max(2000)
            .optional()
            .describe('Selection syntax: only the selected assets and the edges between them'),
          stale: staleQuery,
        }),
        response: {
          200: z.object({ nodes: z.array(assetNodeSchema), edges: z.array(edgeSchema) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { select } = request.query;
      const keys = select === undefined ? undefined : daemon.definitions.select(select);
      const nodes = await graph.nodes(keys, { stale: request.query.stale !== 'false' });
      const edges = graph.snapshot().graph.edges;
      if (keys === undefined) return { nodes, edges };
      const keep = new Set(keys);
      return { nodes, edges: edges.filter((e) => keep.has(e.from) && keep.has(e.to)) };
    },
  );

  app.get(
    '/api/assets',
    {
      schema: {
        summary: 'Assets, optionally filtered by group and/or a selection',
        tags: ['assets'],
        querystring: z.object({
          group: z.string().min(1).max(200).optional(),
          select: z
            .string()
            .min(1)
            .max(2000)
            .optional()
            .describe('Selection syntax, e.g. +shop/orders'),
          stale: staleQuery,
        }),
        response: { 200: z.object({ assets: z.array(assetNodeSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const { group, select } = request.query;
      let keys: string[] | undefined;
      if (select !== undefined) keys = daemon.definitions.select(select);
      if (group !== undefined) {
        const all = keys ?? [...daemon.definitions.assets.keys()];
        keys = all.filter((k) => daemon.definitions.assets.get(k)?.group === group);
      }
      return { assets: await graph.nodes(keys, { stale: request.query.stale !== 'false' }) };
    },
  );

  app.get(
    '/api/assets/:key',
    {
      schema: {
        summary: 'One asset with its latest materialization and checks',
        tags: ['assets'],
        params: assetKeyParams,
        response: {
          200: z.object({
            asset: assetNodeSchema.extend({
              latestMaterialization: z
                .unknown()
                .describe('The latest materialization event with eventId, or null'),
              checks: z
                .array(z.record(z.string(), z.unknown()))
                .describe(
                  'Checks with their latest result: checkId, name, severity, blocking, latest',
                ),
            }),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const node = await graph.node(request.params.key);
      const unpartitioned = node.partitions === null;
      const latest = unpartitioned
        ? await daemon.storage.getLatestMaterialization(node.key)
        : await latestOfPartitioned(ctx, node.key);
      const checks = await checkSummaries(daemon, node.key);
      return {
        asset: {
          ...node,
          latestMaterialization:
            latest === undefined ? null : { eventId: latest.id, ...latest.event },
          checks: checks.map((c) => ({ ...c })),
        },
      };
    },
  );
}

async function latestOfPartitioned(ctx: ApiContext, key: string) {
  const page = await ctx.daemon.storage.getMaterializationHistory(key, { limit: 1 });
  return page.records[0];
}
