import { type Command, Option } from 'commander';
import { createDaemon, type Daemon } from '../../daemon.js';
import type { CliContext } from '../cli-context.js';
import { EXIT } from '../exit-codes.js';
import { defsOption, defsPath, homeOption, positiveInt } from '../options.js';
import { untilSignal } from '../until-signal.js';

interface DaemonCommandOptions {
  defs?: string;
  home?: string;
  workers?: number;
  databaseUrl?: string;
  dispatch?: boolean;
}

/** `cairn daemon`: runs until SIGINT/SIGTERM, then stops gracefully (running runs are cancelled). */
export function registerDaemon(program: Command, ctx: CliContext): void {
  program
    .command('daemon')
    .description('run the daemon (no API) until SIGINT/SIGTERM')
    .addOption(defsOption())
    .addOption(homeOption())
    .option('--workers <n>', 'worker processes (default 2)', positiveInt)
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
    .action(async (opts: DaemonCommandOptions) => {
      const { io } = ctx;
      // Listen before starting, so a signal during start-up also ends in a graceful stop.
      const signal = untilSignal();
      let daemon: Daemon;
      try {
        const defs = defsPath(opts);
        daemon = await createDaemon({
          defs,
          ...(opts.home === undefined ? {} : { home: opts.home }),
          ...(opts.workers === undefined ? {} : { workers: opts.workers }),
          ...(opts.databaseUrl === undefined ? {} : { databaseUrl: opts.databaseUrl }),
          ...(opts.dispatch === false ? { dispatch: false } : {}),
        });
        io.out(`cairn daemon ready: home ${daemon.home}, definitions ${defs}. Ctrl-C to stop.`);
      } catch (err) {
        signal.dispose();
        throw err;
      }
      await signal.received;
      io.out('cairn daemon stopping: cancelling running runs, queued runs stay queued.');
      await daemon.stop();
      io.out('cairn daemon stopped.');
      ctx.exit(EXIT.ok);
    });
}
