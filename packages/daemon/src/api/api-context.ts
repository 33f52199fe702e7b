import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { DaemonError } from '../errors.js';
import type { ApiDaemon } from './api-daemon.js';
import type { GraphView } from './graph-view.js';
import type { ReadCache } from './read-cache.js';

/** The fastify instance the routes register on (zod type provider). */
export type ApiApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** What every route module gets. */
export interface ApiContext {
  daemon: ApiDaemon;
  graph: GraphView;
  /** The daemon's version string for /api/health. */
  version: string;
  /** The short-lived cache of hot status reads. */
  cache: ReadCache;
  /** When the app was built (ms since epoch), for uptime. */
  startedAt: number;
}

/** The 501 of a route whose daemon part (schedules, sensors, automation, staleness) is absent. */
export function notAvailable(part: string): DaemonError {
  return new DaemonError(
    'CAIRN_NOT_AVAILABLE',
    `This daemon has no ${part} support; run a daemon version that provides daemon.${part}.`,
    { part },
  );
}
