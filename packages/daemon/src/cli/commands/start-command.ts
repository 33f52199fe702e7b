import { type Command, Option } from 'commander';
import type { CliContext } from '../cli-context.js';
import { EXIT } from '../exit-codes.js';
import { collect, defsOption, defsPath, homeOption, port, positiveInt } from '../options.js';
import { type Server, serve } from '../serve.js';
import { untilSignal } from '../until-signal.js';

interface StartOptions {
  defs?: string;
  home?: string;
  host: string;
  port: number;
  token?: string;
  workers?: number;
  corsOrigin?: string[];
  databaseUrl?: string;
  /** False with --no-dispatch: lead the loops and serve the API, never execute runs. */
  dispatch?: boolean;
}

/** `cairn start`: the production daemon and its REST API, until SIGINT/SIGTERM. */
export function registerStart(program: Command, ctx: CliContext): void {
  program
    .command('start')
    .description('run the daemon and its REST API (production) until SIGINT/SIGTERM')
    .addOption(defsOption())
    .addOption(homeOption())
    .option('--host <host>', 'interface to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', port, 3000)
    .addOption(
      new Option(
        '--token <token>',
        'require Authorization: Bearer <token> on every route but health',
      ).env('CAIRN_API_TOKEN'),
    )
    .option('--workers <n>', 'worker processes (default 2)', positiveInt)
    .option(
      '--cors-origin <origin>',
      'allow browser requests from this origin (repeatable)',
      collect,
    )
    .addOption(
      new Option(
        '--database-url <url>',
        'store state in Postgres (postgres://...) instead of SQLite under --home',
      ).env('CAIRN_DATABASE_URL'),
    )
    .option(
      '--no-dispatch',
      'never execute runs here (cairn worker processes on the same database do)',
    )
    .action(async (opts: StartOptions) => {
      ctx.exit(await startServer(opts, ctx, 'cairn start'));
    });
}

/** Serves until a signal; shared by `start` and the child process of `dev`. */
export async function startServer(
  opts: StartOptions,
  ctx: CliContext,
  label: string,
): Promise<number> {
  const { io } = ctx;
  const signal = untilSignal();
  let server: Server;
  try {
    const defs = defsPath(opts);
    server = await serve({
      defs,
      host: opts.host,
      port: opts.port,
      ...(opts.home === undefined ? {} : { home: opts.home }),
      ...(opts.token === undefined || opts.token === '' ? {} : { token: opts.token }),
      ...(opts.workers === undefined ? {} : { workers: opts.workers }),
      ...(opts.corsOrigin === undefined ? {} : { corsOrigins: opts.corsOrigin }),
      ...(opts.databaseUrl === undefined ? {} : { databaseUrl: opts.databaseUrl }),
      ...(opts.dispatch === false ? { dispatch: false } : {}),
    });
    io.out(
      `${label}: listening on ${server.url} (home ${server.daemon.home}, definitions ${defs}).`,
    );
  } catch (err) {
    signal.dispose();
    throw err;
  }
  await signal.received;
  io.out(`${label}: stopping (running runs are cancelled, queued runs stay queued).`);
  await server.close();
  io.out(`${label}: stopped.`);
  return EXIT.ok;
}
