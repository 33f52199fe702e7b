import { z } from 'zod';
import { invalidRequest } from './api-error.js';

/** Zod schemas shared by the routes; the OpenAPI document is generated from them. */

/** The error body every route answers with on 4xx/5xx. */
export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().describe('Stable code, e.g. CAIRN_UNKNOWN_ASSET (docs/errors.md)'),
      message: z.string(),
      details: z.record(z.string(), z.unknown()),
    }),
  })
  .describe('An error');

/** Response entries for the usual error statuses. */
export const errorResponses = {
  400: errorSchema.describe('Invalid input'),
  401: errorSchema.describe('Missing or wrong bearer token'),
  404: errorSchema.describe('Unknown asset, run, backfill, partition, schedule or sensor'),
  409: errorSchema.describe('Conflict with the current state'),
  500: errorSchema.describe('Internal error'),
} as const;

/** A non-negative integer given as a query string value. */
export function intQuery(min: number, max: number) {
  return z
    .string()
    .regex(/^\d{1,15}$/, 'must be a non-negative integer')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}

/** `limit` of list endpoints: default 100, at most 1000. */
export const limitQuery = intQuery(1, 1000)
  .optional()
  .describe('Page size (default 100, max 1000)');

/** The opaque `cursor` of list endpoints (from the previous page's `nextCursor`). */
export const cursorQuery = z
  .string()
  .max(200)
  .optional()
  .describe('Opaque cursor from the previous page’s nextCursor');

/** The `:key` path parameter: a URL-encoded asset key (`shop%2Fraw_orders`). */
export const assetKeyParams = z.object({
  key: z.string().min(1).max(1000).describe('URL-encoded asset key, e.g. shop%2Fraw_orders'),
});

/** A `:id` path parameter. */
export const idParams = z.object({ id: z.string().min(1).max(200) });

/** A `:name` path parameter. */
export const nameParams = z.object({ name: z.string().min(1).max(200) });

/** An opaque cursor for a numeric position (base64url of `c:<n>`). */
export function encodeCursor(n: number | undefined | null): string | null {
  return n === undefined || n === null ? null : Buffer.from(`c:${n}`).toString('base64url');
}

/** Decodes a cursor made by `encodeCursor`; a cursor it did not make is a 400. */
export function decodeCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^c:(\d{1,15})$/.exec(text);
  if (m === null) {
    throw invalidRequest(
      `Cursor "${cursor.slice(0, 40)}" is not one this API returned; pass the nextCursor of the previous page.`,
      { cursor: cursor.slice(0, 200) },
    );
  }
  return Number(m[1]);
}

/** Partition status as the API spells it. */
export const apiPartitionStatus = z.enum(['materialized', 'failed', 'inProgress', 'missing']);

/** The status summary of an asset. */
export const statusSummarySchema = z.object({
  total: z.number(),
  materialized: z.number(),
  failed: z.number(),
  inProgress: z.number(),
  missing: z.number(),
  stale: z
    .number()
    .nullable()
    .describe(
      'Stale partitions; null when staleness is not evaluated by this daemon or stale=false',
    ),
});

/** One node of the graph (an asset). */
export const assetNodeSchema = z.object({
  key: z.string(),
  group: z.string(),
  kinds: z.array(z.string()),
  tags: z.record(z.string(), z.string()),
  owners: z.array(z.string()),
  description: z.string().nullable(),
  partitions: z.unknown().describe('PartitionsSnapshot or null'),
  codeVersion: z.string().nullable(),
  external: z.boolean(),
  checks: z.array(z.string()),
  failingChecks: z
    .array(z.string())
    .describe('Names of the checks whose latest result (newest of any partition) failed'),
  status: statusSummarySchema,
});

/** A run as the API returns it. */
export const runSchema = z.object({
  runId: z.string(),
  status: z.enum(['queued', 'started', 'success', 'failure', 'canceled']),
  backfillId: z.string().nullable(),
  priority: z.number(),
  tags: z.record(z.string(), z.string()),
  selection: z.unknown(),
  partitionKeys: z.array(z.string()).nullable(),
  partitionRange: z.object({ start: z.string(), end: z.string() }).nullable(),
  queuedAt: z.string().nullable(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
});

/** An event of the log as the API returns it. */
export const eventRecordSchema = z.object({
  id: z.number(),
  event: z.record(z.string(), z.unknown()).describe('The stored event (type, timestamp, ...)'),
});
