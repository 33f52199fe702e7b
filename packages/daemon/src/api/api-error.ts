import { isCairnError } from '@cairn/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { DaemonError, isDaemonError } from '../errors.js';

/** The JSON body of every API error: `{ error: { code, message, details } }`. */
export interface ApiErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

// Codes that name something that does not exist → 404. Definition-time codes that also start
// with CAIRN_UNKNOWN_ (dependency, check asset, IO manager) cannot come from a request.
const NOT_FOUND = new Set([
  'CAIRN_UNKNOWN_ASSET',
  'CAIRN_UNKNOWN_RUN',
  'CAIRN_UNKNOWN_BACKFILL',
  'CAIRN_UNKNOWN_PARTITION',
  'CAIRN_UNKNOWN_SCHEDULE',
  'CAIRN_UNKNOWN_SENSOR',
  'CAIRN_UNKNOWN_CHECK',
  'CAIRN_ROUTE_NOT_FOUND',
]);

// Requests that are well-formed but clash with the current state → 409.
const CONFLICT = new Set([
  'CAIRN_BACKFILL_EXISTS',
  'CAIRN_RUN_NOT_FINISHED',
  'CAIRN_RUN_FINISHED',
  'CAIRN_DAEMON_STOPPED',
]);

// Failures of the daemon itself, not of the request → 500 (logged, generic message).
const SERVER = new Set([
  'CAIRN_STORAGE_WRITE_FAILED',
  'CAIRN_STORAGE_OPEN_FAILED',
  'CAIRN_STORAGE_CLOSED',
  'CAIRN_MIGRATION_FAILED',
  'CAIRN_SCHEMA_TOO_NEW',
  'CAIRN_WORKER_EXITED',
  'CAIRN_WORKER_OUT_OF_MEMORY',
  'CAIRN_WORKER_PROTOCOL',
  'CAIRN_WORKER_POOL_CLOSED',
  'CAIRN_INTERNAL',
]);

/** The HTTP status of an error raised on purpose by core or the daemon, by its code. */
export function statusOfCode(code: string): number {
  if (NOT_FOUND.has(code)) return 404;
  if (CONFLICT.has(code)) return 409;
  if (SERVER.has(code)) return 500;
  if (code === 'CAIRN_UNAUTHORIZED') return 401;
  if (code === 'CAIRN_BODY_TOO_LARGE') return 413;
  if (code === 'CAIRN_NOT_AVAILABLE') return 501;
  return 400;
}

/** Builds the error body. */
export function errorBody(
  code: string,
  message: string,
  details: Record<string, unknown> = {},
): ApiErrorBody {
  return { error: { code, message, details } };
}

/** Keeps details JSON-safe and small (zod issues can hold the rejected input). */
function safeDetails(details: unknown): Record<string, unknown> {
  try {
    const text = JSON.stringify(details ?? {});
    // 8 KiB keeps an error readable and stops a huge rejected body from being echoed back.
    if (text.length > 8192) return { truncated: true };
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** Maps fastify's own request errors (body parsing, size, content type) to status and code. */
function fastifyRequestError(err: FastifyError): { status: number; code: string } | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, code: 'CAIRN_BODY_TOO_LARGE' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
    case 'FST_ERR_VALIDATION':
      return { status: 400, code: 'CAIRN_INVALID_REQUEST' };
    default:
      break;
  }
  // Any other 4xx fastify raises while reading the request is the client's fault too.
  const status = err.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return { status, code: status === 413 ? 'CAIRN_BODY_TOO_LARGE' : 'CAIRN_INVALID_REQUEST' };
  }
  return undefined;
}

/**
 * The app's one error handler: zod and fastify validation errors → 400, core and daemon errors →
 * 404/409/400 by code, request-reading errors → 400/413, anything else → 500 with a generic
 * message (the error itself is logged, never sent).
 */
export function handleError(err: unknown, request: FastifyRequest, reply: FastifyReply): void {
  if (hasZodFastifySchemaValidationErrors(err)) {
    const issues = err.validation.map((v) => ({
      path: v.instancePath,
      message: v.message,
    }));
    const first = issues[0];
    const where = `${err.validationContext ?? 'request'}${first?.path ?? ''}`;
    void reply
      .status(400)
      .send(
        errorBody(
          'CAIRN_INVALID_REQUEST',
          `Invalid ${where}: ${first?.message ?? 'malformed'}. Fix the request (see GET /api/openapi.json).`,
          { in: err.validationContext ?? null, issues: safeDetails(issues) },
        ),
      );
    return;
  }
  if (isDaemonError(err) || isCairnError(err)) {
    const code = (err as { code: string }).code;
    const status = statusOfCode(code);
    if (status >= 500 && status !== 501) {
      request.log.error({ err }, 'request failed');
      void reply
        .status(500)
        .send(errorBody('CAIRN_INTERNAL', 'The daemon failed to serve this request; see its log.'));
      return;
    }
    const details = (err as { details?: unknown }).details;
    void reply.status(status).send(errorBody(code, err.message, safeDetails(details)));
    return;
  }
  const fe = err as FastifyError;
  const mapped = typeof fe === 'object' && fe !== null ? fastifyRequestError(fe) : undefined;
  if (mapped !== undefined) {
    void reply
      .status(mapped.status)
      .send(errorBody(mapped.code, fe.message, { fastifyCode: fe.code ?? null }));
    return;
  }
  request.log.error({ err }, 'unexpected error');
  void reply
    .status(500)
    .send(errorBody('CAIRN_INTERNAL', 'The daemon failed to serve this request; see its log.'));
}

/** A DaemonError for input the schemas accept but the API does not (an unreadable cursor). */
export function invalidRequest(
  message: string,
  details: Record<string, unknown> = {},
): DaemonError {
  return new DaemonError('CAIRN_INVALID_REQUEST', message, details);
}
