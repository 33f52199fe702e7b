import { z } from 'zod';
import { DaemonError } from '../../errors.js';
import type { RunRecord, RunStatus } from '../../storage/index.js';
import type { ApiApp, ApiContext } from '../api-context.js';
import { readRunsFiltered } from '../api-reads.js';
import {
  cursorQuery,
  decodeCursor,
  encodeCursor,
  errorResponses,
  eventRecordSchema,
  idParams,
  intQuery,
  limitQuery,
  runSchema,
} from '../api-schemas.js';

const nonEmpty = z.string().min(1).max(1000);

/** The selection of a run or backfill: a selection string or exact asset keys. */
export const selectionSchema = z.union([nonEmpty.max(2000), z.array(nonEmpty).min(1).max(10_000)]);

const runRequestSchema = z
  .object({
    selection: selectionSchema,
    partitions: z
      .object({
        keys: z.array(nonEmpty).min(1).max(100_000).optional(),
        range: z.object({ from: nonEmpty, to: nonEmpty }).strict().optional(),
      })
      .strict()
      .optional(),
    tags: z.record(z.string().min(1).max(200), z.string().max(1000)).optional(),
    priority: z.number().int().min(-1_000_000).max(1_000_000).optional(),
    idempotencyKey: nonEmpty.optional(),
    config: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

const RUN_STATUSES = ['queued', 'started', 'success', 'failure', 'canceled'] as const;

/** A run in the API's shape. */
export function toApiRun(r: RunRecord) {
  return {
    runId: r.runId,
    status: r.status,
    backfillId: r.backfillId,
    priority: r.priority,
    tags: r.tags,
    selection: r.selection,
    partitionKeys: r.partitionKeys,
    partitionRange: r.partitionRange,
    idempotencyKey: r.idempotencyKey,
    stepKeys: r.stepKeys,
    counts: r.counts,
    queuedAt: r.queuedAt,
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    durationMs: r.durationMs,
  };
}

/** Runs: submit (or backfill), list, detail, events, logs, cancel, re-execute. */
export function runRoutes(app: ApiApp, ctx: ApiContext): void {
  const { daemon } = ctx;
  const requireRun = async (runId: string): Promise<RunRecord> => {
    const run = await daemon.storage.getRun(runId);
    if (run === undefined) {
      throw new DaemonError(
        'CAIRN_UNKNOWN_RUN',
        `No run with id "${runId}"; list runs with GET /api/runs.`,
        { runId },
      );
    }
    return run;
  };

  app.post(
    '/api/runs',
    {
      schema: {
        summary: 'Submits a run (one partition or none) or a backfill (many partitions)',
        tags: ['runs'],
        body: runRequestSchema,
        response: {
          201: z.union([z.object({ runId: z.string() }), z.object({ backfillId: z.string() })]),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { selection, partitions, ...options } = request.body;
      const keys = partitions?.keys;
      const range = partitions?.range;
      if (keys !== undefined && range !== undefined) {
        throw new DaemonError(
          'CAIRN_INVALID_REQUEST',
          'Give partitions.keys or partitions.range, not both.',
          { field: 'partitions' },
        );
      }
      const single =
        keys?.length === 1
          ? keys[0]
          : range !== undefined && range.from === range.to
            ? range.from
            : undefined;
      if (
        partitions === undefined ||
        (keys === undefined && range === undefined) ||
        single !== undefined
      ) {
        const { runId } = await daemon.submit({
          selection,
          ...options,
          ...(single === undefined ? {} : { partitionKey: single }),
        });
        return reply.status(201).send({ runId });
      }
      const { idempotencyKey: _ignored, ...backfillOptions } = options;
      const status = await daemon.backfills.create({
        selection,
        partitions: keys ?? { from: range!.from, to: range!.to },
        ...backfillOptions,
      });
      return reply.status(201).send({ backfillId: status.backfillId });
    },
  );

  app.get(
    '/api/runs',
    {
      schema: {
        summary: 'Runs, newest first, with filters',
        tags: ['runs'],
        querystring: z.object({
          status: z.enum(RUN_STATUSES).optional(),
          asset: z.string().min(1).max(1000).optional(),
          partition: z.string().min(1).max(1000).optional(),
          tag: z
            .string()
            .regex(/^[^=]+=.*$/, 'must be key=value')
            .max(2000)
            .optional(),
          backfill: z.string().min(1).max(200).optional(),
          limit: limitQuery,
          cursor: cursorQuery,
        }),
        response: {
          200: z.object({ runs: z.array(runSchema), nextCursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const before = decodeCursor(q.cursor);
      const eq = q.tag?.indexOf('=') ?? -1;
      const page = await readRunsFiltered(daemon.storage, {
        limit: q.limit ?? 100,
        ...(q.status === undefined ? {} : { status: q.status as RunStatus }),
        ...(q.backfill === undefined ? {} : { backfillId: q.backfill }),
        ...(q.asset === undefined ? {} : { assetKey: q.asset }),
        ...(q.partition === undefined ? {} : { partitionKey: q.partition }),
        ...(q.tag === undefined
          ? {}
          : { tag: { key: q.tag.slice(0, eq), value: q.tag.slice(eq + 1) } }),
        ...(before === undefined ? {} : { beforeCursor: before }),
      });
      return { runs: page.runs.map(toApiRun), nextCursor: encodeCursor(page.nextCursor) };
    },
  );

  app.get(
    '/api/runs/:id',
    {
      schema: {
        summary: 'One run with its steps',
        tags: ['runs'],
        params: idParams,
        response: {
          200: z.object({ run: runSchema, steps: z.array(z.record(z.string(), z.unknown())) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const run = await requireRun(request.params.id);
      const steps = await daemon.storage.getSteps(run.runId);
      return { run: toApiRun(run), steps: steps.map((s) => ({ ...s })) };
    },
  );

  app.get(
    '/api/runs/:id/events',
    {
      schema: {
        summary: 'Events of a run in log order',
        tags: ['runs'],
        params: idParams,
        querystring: z.object({
          after: intQuery(0, Number.MAX_SAFE_INTEGER)
            .optional()
            .describe('Only events with a larger id'),
          limit: intQuery(1, 10_000).optional().describe('Default 1000, max 10,000'),
        }),
        response: {
          200: z.object({ events: z.array(eventRecordSchema), nextCursor: z.number().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const run = await requireRun(request.params.id);
      const { after, limit = 1000 } = request.query;
      const page = await daemon.storage.getEventsForRun(run.runId, {
        limit,
        ...(after === undefined ? {} : { afterId: after }),
      });
      return {
        events: page.records as unknown as { id: number; event: Record<string, unknown> }[],
        nextCursor: page.nextCursor ?? null,
      };
    },
  );

  app.get(
    '/api/runs/:id/logs',
    {
      schema: {
        summary: 'Log lines of a run (optionally of one step)',
        tags: ['runs'],
        params: idParams,
        querystring: z.object({ step: z.string().min(1).max(1000).optional() }),
        response: {
          200: z.object({
            logs: z.array(
              z.object({
                eventId: z.number(),
                timestamp: z.string(),
                level: z.string(),
                message: z.string(),
                stepKey: z.string().nullable(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const run = await requireRun(request.params.id);
      const logs = [];
      let after = 0;
      // Logs live in the run's events; a run's log is bounded by its events (10,000 per page).
      for (;;) {
        const page = await daemon.storage.getEventsForRun(run.runId, {
          afterId: after,
          limit: 10_000,
        });
        for (const { id, event } of page.records) {
          if (event.type !== 'log') continue;
          if (request.query.step !== undefined && event.stepKey !== request.query.step) continue;
          logs.push({
            eventId: id,
            timestamp: event.timestamp,
            level: event.level,
            message: event.message,
            stepKey: event.stepKey ?? null,
          });
        }
        if (page.nextCursor === undefined) break;
        after = page.nextCursor;
      }
      return { logs };
    },
  );

  app.post(
    '/api/runs/:id/cancel',
    {
      schema: {
        summary: 'Cancels a queued or running run (409 when it has already finished)',
        tags: ['runs'],
        params: idParams,
        response: { 200: z.object({ run: runSchema }), ...errorResponses },
      },
    },
    async (request) => {
      const run = await requireRun(request.params.id);
      const accepted = await daemon.cancel(run.runId);
      if (!accepted) {
        throw new DaemonError(
          'CAIRN_RUN_FINISHED',
          `Run ${run.runId} has already finished (${run.status}); there is nothing to cancel.`,
          { runId: run.runId, status: run.status },
        );
      }
      return { run: toApiRun((await daemon.storage.getRun(run.runId)) ?? run) };
    },
  );

  app.post(
    '/api/runs/:id/reexecute',
    {
      schema: {
        summary: 'Re-executes a finished run (from failure by default)',
        tags: ['runs'],
        params: idParams,
        body: z.object({ fromFailure: z.boolean().optional() }).strict().nullish(),
        response: { 201: z.object({ runId: z.string() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const run = await requireRun(request.params.id);
      const { runId } = await daemon.reexecute(run.runId, {
        fromFailure: request.body?.fromFailure ?? true,
      });
      return reply.status(201).send({ runId });
    },
  );
}
