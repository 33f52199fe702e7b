import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyReply, type FastifyServerOptions } from 'fastify';
import {
  jsonSchemaTransform,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DaemonError } from '../errors.js';
import type { ApiApp, ApiContext } from './api-context.js';
import type { ApiDaemon } from './api-daemon.js';
import { errorBody, handleError } from './api-error.js';
import { createApiMetrics } from './api-metrics.js';
import { EventFollower } from './event-follower.js';
import { GraphView } from './graph-view.js';
import { ReadCache } from './read-cache.js';
import { assetRoutes } from './routes/asset-routes.js';
import { automationRoutes } from './routes/automation-routes.js';
import { backfillRoutes } from './routes/backfill-routes.js';
import { eventsRoute } from './routes/events-route.js';
import { graphRoutes } from './routes/graph-routes.js';
import { runRoutes } from './routes/run-routes.js';

/** Options of `buildApp()`. */
export interface BuildAppOptions {
  /** The daemon whose state the API serves. */
  daemon: ApiDaemon;
  /** When set, every route but GET /api/health needs `Authorization: Bearer <token>`. Default none. */
  token?: string;
  /** Origins allowed by CORS (e.g. `['http://localhost:5173']`). Default none: CORS off. */
  corsOrigins?: readonly string[];
  /** Largest accepted request body in bytes. Default 1 MiB. */
  bodyLimit?: number;
  /** Fastify's logger option (`true`, a pino options object, or an instance). Default off. */
  logger?: FastifyServerOptions['logger'];
  /** Interval of the SSE heartbeat comments in ms. Default 15,000. */
  heartbeatMs?: number;
}

/** The version of @cairn/daemon (from its package.json), reported by /api/health and the OpenAPI document. */
export const API_VERSION: string = (() => {
  try {
    const pkg = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
})();

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Builds the REST API over a daemon as a fastify instance that is not listening yet: tests call
 * `app.inject()`, the CLI calls `listen(app, { port })`. Closing the app does not stop the daemon.
 *
 * @example
 * const app = await buildApp({ daemon, token: process.env.CAIRN_API_TOKEN });
 * const url = await listen(app, { port: 3000 });
 */
export async function buildApp(options: BuildAppOptions): Promise<ApiApp> {
  const { daemon } = options;
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // Asset keys arrive URL-encoded in one path segment (shop%2Fraw_orders); 1000 chars is plenty.
    routerOptions: { maxParamLength: 1000 },
    // Errors fastify raises before routing (a malformed URL such as /api/assets/%): same shape.
    frameworkErrors: (error, _request, reply) => {
      void (reply as unknown as FastifyReply).status(400).send(
        errorBody('CAIRN_INVALID_REQUEST', `${error.message}; URL-encode path segments.`, {
          fastifyCode: error.code,
        }),
      );
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  // Responses are documented by their zod schemas but serialized as plain JSON: a response that
  // drifts from its documented schema must not turn a good request into a 500.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.setErrorHandler(handleError);
  // JSON bodies: an empty body with a JSON content type (a bare POST .../cancel from a client
  // that always sets the header) is no body, not an error.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(
        new DaemonError(
          'CAIRN_INVALID_REQUEST',
          `The request body is not valid JSON (${(err as Error).message}); send a JSON object.`,
        ),
        undefined,
      );
    }
  });
  app.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .send(
        errorBody(
          'CAIRN_ROUTE_NOT_FOUND',
          `No route ${request.method} ${request.url.split('?')[0]}; see GET /api/openapi.json for the routes.`,
          { method: request.method },
        ),
      );
  });

  if (options.corsOrigins !== undefined && options.corsOrigins.length > 0) {
    await app.register(cors, { origin: [...options.corsOrigins], credentials: false });
  }

  if (options.token !== undefined && options.token !== '') {
    const expected = digest(options.token);
    app.addHook('onRequest', async (request, reply) => {
      const path = request.url.split('?')[0];
      if (path === '/api/health' || request.method === 'OPTIONS') return;
      const header = request.headers.authorization ?? '';
      const m = /^Bearer (.+)$/i.exec(header);
      // Compare digests in constant time: neither the token's length nor a prefix leaks.
      if (m === null || !timingSafeEqual(digest(m[1]!), expected)) {
        return reply
          .status(401)
          .header('www-authenticate', 'Bearer')
          .send(
            errorBody(
              'CAIRN_UNAUTHORIZED',
              'This daemon requires "Authorization: Bearer <token>" (the token given with --token or CAIRN_API_TOKEN).',
            ),
          );
      }
    });
  }

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Cairn daemon API',
        version: API_VERSION,
        description:
          'The REST API of the Cairn daemon. Errors are `{ "error": { "code", "message", "details" } }`. Asset keys in paths are URL-encoded (`shop%2Fraw_orders`).',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
      security: options.token ? [{ bearer: [] }] : [],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  const follower = new EventFollower(daemon);
  const metrics = createApiMetrics(daemon, follower);
  // The document-only app (no daemon) has nothing to subscribe to.
  const cache = new ReadCache(
    typeof daemon.onEvent === 'function'
      ? daemon
      : ({ onEvent: () => () => {} } as unknown as ApiDaemon),
  );
  const ctx: ApiContext = {
    daemon,
    cache,
    graph: new GraphView(daemon),
    version: API_VERSION,
    startedAt: Date.now(),
  };
  graphRoutes(app, ctx);
  assetRoutes(app, ctx);
  runRoutes(app, ctx);
  backfillRoutes(app, ctx);
  automationRoutes(app, ctx);
  const closeStreams = eventsRoute(
    app,
    ctx,
    follower,
    options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs },
  );

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics (text format)',
        tags: ['daemon'],
        response: { 200: z.string().describe('Prometheus text exposition format') },
      },
    },
    async (_request, reply) => {
      const text = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(text);
    },
  );
  // preClose: end the hijacked SSE streams before fastify waits for open requests.
  app.addHook('preClose', async () => {
    closeStreams();
  });
  app.addHook('onClose', async () => {
    metrics.close();
    follower.close();
    cache.close();
  });
  await app.ready();
  return app;
}

/** Options of `listen()`. */
export interface ListenOptions {
  /** Interface to listen on. Default 127.0.0.1 (loopback only; give 0.0.0.0 with a token to expose it). */
  host?: string;
  /** Port; 0 picks a free one. */
  port: number;
}

/** Starts listening and resolves with the base URL (e.g. `http://127.0.0.1:3000`). */
export async function listen(app: ApiApp, options: ListenOptions): Promise<string> {
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}
