import type { Command } from 'commander';
import { type RunWorker, startRunWorker } from '../../workers/run-worker.js';
import type { CliContext } from '../cli-context.js';
import { EXIT } from '../exit-codes.js';
import { defsOption, defsPath, homeOption, positiveInt } from '../options.js';
import { untilSignal } from '../until-signal.js';

/**
 * `cairn worker`: claims queued runs from the shared Postgres database and executes them until
 * SIGINT/SIGTERM (running runs are cancelled; the leader daemon requeues them per `maxRetries`).
 */
export function registerWorker(program: Command, ctx: CliContext): void {
  program
    .command('worker')
    .description('claim and execute queued runs from a shared database until SIGINT/SIGTERM')
    .addOption(defsOption())
    .addOption(homeOption())
    .option(
      '--database-url <url>',
      'the shared postgres:// database (default env CAIRN_DATABASE_URL)',
    )
    .option('--workers <n>', 'worker processes, i.e. runs at once (default 2)', positiveInt)
    .action(
      async (opts: { defs?: string; home?: string; databaseUrl?: string; workers?: number }) => {
        const { io } = ctx;
        // Listen before starting, so a signal during start-up also ends in a graceful stop.
        const signal = untilSignal();
        let worker: RunWorker;
        try {
          const defs = defsPath(opts);
          worker = await startRunWorker({
            defs,
            ...(opts.home === undefined ? {} : { home: opts.home }),
            ...(opts.databaseUrl === undefined ? {} : { databaseUrl: opts.databaseUrl }),
            ...(opts.workers === undefined ? {} : { workers: opts.workers }),
          });
          io.out(
            `cairn worker ready: ${worker.storage.where}, definitions ${defs}. Ctrl-C to stop.`,
          );
        } catch (err) {
          signal.dispose();
          throw err;
        }
        await signal.received;
        io.out('cairn worker stopping: cancelling running runs.');
        await worker.stop();
        io.out('cairn worker stopped.');
        ctx.exit(EXIT.ok);
      },
    );
}
