import { createServer, type Server as HttpServer } from 'node:http';
import type { ApiApp } from '../api/api-context.js';
import { buildApp } from '../api/build-app.js';
import { createDaemon, type Daemon } from '../daemon.js';
import { DaemonError } from '../errors.js';
import { serveUi } from './static-ui.js';

/** Options of `serve()`: a daemon plus its API on one port. */
export interface ServeOptions {
  defs: string;
  home?: string;
  /** Default 127.0.0.1 (loopback only). */
  host?: string;
  /** Default 3000; 0 picks a free port. */
  port?: number;
  token?: string;
  workers?: number;
  corsOrigins?: string[];
  /** Postgres URL; default: env CAIRN_DATABASE_URL, else SQLite at `<home>/cairn.db`. */
  databaseUrl?: string;
  /** False: never execute runs in this daemon (`cairn worker` processes do). Default true. */
  dispatch?: boolean;
}

/** A daemon serving its API. */
export interface Server {
  readonly url: string;
  readonly daemon: Daemon;
  readonly app: ApiApp;
  /** Stops listening, then stops the daemon gracefully. */
  close(): Promise<void>;
}

/**
 * Starts a daemon on `<home>/cairn.db` and its REST API on `host:port`, plus the UI's static
 * files at `/` when packages/ui has a build (a placeholder page otherwise).
 *
 * @example
 * const server = await serve({ defs: 'src/defs.ts', port: 3000 });
 * console.log(server.url);
 */
export async function serve(options: ServeOptions): Promise<Server> {
  const daemon = await createDaemon({
    defs: options.defs,
    ...(options.home === undefined ? {} : { home: options.home }),
    ...(options.workers === undefined ? {} : { workers: options.workers }),
    ...(options.databaseUrl === undefined ? {} : { databaseUrl: options.databaseUrl }),
    ...(options.dispatch === undefined ? {} : { dispatch: options.dispatch }),
  });
  let app: ApiApp | undefined;
  try {
    app = await buildApp({
      daemon,
      ...(options.token === undefined ? {} : { token: options.token }),
      ...(options.corsOrigins === undefined ? {} : { corsOrigins: options.corsOrigins }),
    });
    const api = app;
    // buildApp() returns a ready app (no routes can be added), so the UI is served in front of
    // it on our own HTTP server, and everything else is handed to fastify's router.
    const server: HttpServer = createServer((req, res) => {
      serveUi(req, res).then(
        (served) => {
          if (!served) api.routing(req, res);
        },
        () => api.routing(req, res),
      );
    });
    const host = options.host ?? '127.0.0.1';
    const wanted = options.port ?? 3000;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) =>
        reject(
          err.code === 'EADDRINUSE'
            ? new DaemonError(
                'CAIRN_PORT_IN_USE',
                `port ${wanted} on ${host} is in use by another process: pass --port with a free port (--port 0 picks one), or stop the process listening there`,
                { host, port: wanted },
                { cause: err },
              )
            : err,
        );
      server.once('error', onError);
      server.listen(wanted, host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : options.port;
    const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    const url = `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
    return {
      url,
      daemon,
      app: api,
      close: async () => {
        // Live SSE streams would keep close() waiting forever: end the API first (its onClose
        // hooks end the streams), then stop accepting, then drop idle keep-alive sockets.
        await api.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await daemon.stop();
      },
    };
  } catch (err) {
    await app?.close();
    await daemon.stop();
    throw err;
  }
}
