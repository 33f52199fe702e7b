import { z } from 'zod';
import type { BackfillStatus } from '../../backfills/backfill-types.js';
import { DaemonError } from '../../errors.js';
import type { ApiApp, ApiContext } from '../api-context.js';
import {
  cursorQuery,
  decodeCursor,
  encodeCursor,
  errorResponses,
  idParams,
  limitQuery,
} from '../api-schemas.js';
import { selectionSchema } from './run-routes.js';

const nonEmpty = z.string().min(1).max(1000);

const backfillSchema = z
  .record(z.string(), z.unknown())
  .describe('BackfillStatus: state, counts, per-asset progress');

const createSchema = z
  .object({
    selection: selectionSchema,
    partitions: z
      .object({
        keys: z.array(nonEmpty).min(1).max(100_000).optional(),
        range: z.object({ from: nonEmpty, to: nonEmpty }).strict().optional(),
        missing: z.literal(true).optional(),
        failed: z.literal(true).optional(),
        all: z.literal(true).optional(),
      })
      .strict(),
    backfillId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,100}$/)
      .optional(),
    maxRunsInFlight: z.number().int().min(1).max(10_000).optional(),
    priority: z.number().int().min(-1_000_000).max(1_000_000).optional(),
    tags: z.record(z.string().min(1).max(200), z.string().max(1000)).optional(),
    maxRetries: z.number().int().min(0).max(100).optional(),
    config: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** Backfills: create, list, detail, cancel, resume, retry-failed. */
export function backfillRoutes(app: ApiApp, ctx: ApiContext): void {
  const { daemon } = ctx;
  const requireBackfill = async (id: string): Promise<BackfillStatus> => {
    const status = await daemon.backfills.get(id);
    if (status === undefined) {
      throw new DaemonError(
        'CAIRN_UNKNOWN_BACKFILL',
        `No backfill with id "${id}"; list backfills with GET /api/backfills.`,
        { backfillId: id },
      );
    }
    return status;
  };

  app.post(
    '/api/backfills',
    {
      schema: {
        summary:
          'Creates a backfill over partition keys, a range, or the missing/failed/all partitions',
        tags: ['backfills'],
        body: createSchema,
        response: { 201: z.object({ backfillId: z.string() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { selection, partitions: p, ...options } = request.body;
      const given = [p.keys, p.range, p.missing, p.failed, p.all].filter((x) => x !== undefined);
      if (given.length !== 1) {
        throw new DaemonError(
          'CAIRN_INVALID_REQUEST',
          'partitions must have exactly one of keys, range, missing: true, failed: true, all: true.',
          { field: 'partitions' },
        );
      }
      const partitions =
        p.keys ??
        (p.range !== undefined
          ? { from: p.range.from, to: p.range.to }
          : p.missing
            ? 'missing'
            : p.failed
              ? 'failed'
              : 'all');
      const status = await daemon.backfills.create({ selection, partitions, ...options });
      return reply.status(201).send({ backfillId: status.backfillId });
    },
  );

  app.get(
    '/api/backfills',
    {
      schema: {
        summary: 'Backfills, newest first',
        tags: ['backfills'],
        querystring: z.object({
          status: z
            .enum(['requested', 'in_progress', 'canceling', 'canceled', 'completed', 'failed'])
            .optional(),
          limit: limitQuery,
          cursor: cursorQuery,
        }),
        response: {
          200: z.object({ backfills: z.array(backfillSchema), nextCursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { status, limit = 100, cursor } = request.query;
      const offset = decodeCursor(cursor) ?? 0;
      // The manager lists newest first by count; the cursor is an offset into that order.
      const all = await daemon.backfills.list({ limit: offset + limit + 1 });
      const page = all.slice(offset, offset + limit);
      const more = all.length > offset + limit;
      return {
        backfills: (status === undefined ? page : page.filter((b) => b.state === status)).map(
          (b) => ({ ...b }),
        ),
        nextCursor: more ? encodeCursor(offset + limit) : null,
      };
    },
  );

  app.get(
    '/api/backfills/:id',
    {
      schema: {
        summary: 'One backfill with counts and per-asset progress',
        tags: ['backfills'],
        params: idParams,
        response: { 200: z.object({ backfill: backfillSchema }), ...errorResponses },
      },
    },
    async (request) => ({ backfill: { ...(await requireBackfill(request.params.id)) } }),
  );

  const action = (path: 'cancel' | 'resume' | 'retry-failed', summary: string) =>
    app.post(
      `/api/backfills/:id/${path}`,
      {
        schema: {
          summary,
          tags: ['backfills'],
          params: idParams,
          response: { 200: z.object({ backfill: backfillSchema }), ...errorResponses },
        },
      },
      async (request) => {
        const { backfillId } = await requireBackfill(request.params.id);
        const status =
          path === 'cancel'
            ? await daemon.backfills.cancel(backfillId)
            : path === 'resume'
              ? await daemon.backfills.resume(backfillId)
              : await daemon.backfills.retryFailed(backfillId);
        return { backfill: { ...status } };
      },
    );
  action('cancel', 'Cancels a backfill and its queued and running runs');
  action('resume', 'Resumes a canceled backfill');
  action('retry-failed', 'Starts a new pass over the failed partitions of a backfill');
}
