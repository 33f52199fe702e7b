import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { createDaemon, type Daemon } from '../daemon.js';
import { resolveDefinitionsPath } from '../definitions/resolve-definitions-path.js';
import { EXIT, exitCodeOf } from './exit-codes.js';

/** Where the CLI writes (tests pass buffers; the binary passes the process streams). */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`expected a whole number >= 1, got "${value}".`);
  }
  return n;
}

function message(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  const text = err instanceof Error ? err.message : String(err);
  return typeof code === 'string' && code.startsWith('CAIRN_') ? `${code}: ${text}` : text;
}

/** `cairn materialize`: one run through the shared storage, with its own coordinator and pool. */
async function materialize(
  opts: {
    defs?: string;
    select: string;
    partition?: string;
    from?: string;
    to?: string;
    home?: string;
  },
  io: CliIo,
): Promise<number> {
  if ((opts.from === undefined) !== (opts.to === undefined)) {
    io.err('error: --from and --to go together (a range of partitions, both inclusive).');
    return EXIT.usage;
  }
  if (opts.partition !== undefined && opts.from !== undefined) {
    io.err('error: give --partition or --from/--to, not both.');
    return EXIT.usage;
  }
  const defs = resolveDefinitionsPath(opts.defs === undefined ? {} : { defs: opts.defs });
  // scope "own": a daemon may be running on the same database; this process dispatches only its
  // own run and recovers nothing (WAL and the busy timeout make the two writers safe).
  const daemon = await createDaemon({
    defs,
    workers: 1,
    scope: 'own',
    ...(opts.home === undefined ? {} : { home: opts.home }),
  });
  try {
    const { runId } = await daemon.submit({
      selection: opts.select,
      ...(opts.partition === undefined ? {} : { partitionKey: opts.partition }),
      ...(opts.from === undefined || opts.to === undefined
        ? {}
        : { partitionRange: { from: opts.from, to: opts.to } }),
      tags: { 'cairn/source': 'cli' },
    });
    io.out(`Run ${runId} submitted (${opts.select}).`);
    const run = await daemon.waitForRun(runId);
    await summarize(daemon, runId, run.status, run.counts, run.durationMs, io);
    return run.status === 'success' ? EXIT.ok : EXIT.failed;
  } finally {
    await daemon.stop();
  }
}

async function summarize(
  daemon: Daemon,
  runId: string,
  status: string,
  counts: Record<string, number> | null,
  durationMs: number | null,
  io: CliIo,
): Promise<void> {
  const c = counts ?? {};
  const time = durationMs === null ? '' : ` in ${Math.round(durationMs)} ms`;
  io.out(
    `Run ${runId} ${status}${time}: ${c.succeeded ?? 0} succeeded, ${c.failed ?? 0} failed, ${c.skipped ?? 0} skipped, ${c.materializations ?? 0} materializations.`,
  );
  for (const step of await daemon.storage.getSteps(runId)) {
    if (step.status !== 'failed') continue;
    const error = step.error as { message?: string } | null;
    io.out(`  ${step.stepKey} failed: ${error?.message ?? 'unknown error'}`);
  }
}

/** `cairn daemon`: runs until SIGINT/SIGTERM, then stops gracefully (running runs are cancelled). */
async function runDaemon(
  opts: { defs?: string; home?: string; workers?: number },
  io: CliIo,
): Promise<number> {
  // Listen before starting, so a signal during start-up also ends in a graceful stop.
  let stop = () => {};
  const stopRequested = new Promise<void>((resolve) => {
    stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  let daemon: Daemon;
  try {
    const defs = resolveDefinitionsPath(opts.defs === undefined ? {} : { defs: opts.defs });
    daemon = await createDaemon({
      defs,
      ...(opts.home === undefined ? {} : { home: opts.home }),
      ...(opts.workers === undefined ? {} : { workers: opts.workers }),
    });
    io.out(`cairn daemon ready: home ${daemon.home}, definitions ${defs}. Ctrl-C to stop.`);
  } catch (err) {
    stop();
    throw err;
  }
  await stopRequested;
  io.out('cairn daemon stopping: cancelling running runs, queued runs stay queued.');
  await daemon.stop();
  io.out('cairn daemon stopped.');
  return EXIT.ok;
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and resolves with the exit code:
 * 0 success, 1 run failed, 2 usage error.
 *
 * @example
 * process.exitCode = await main(['materialize', '--defs', 'src/defs.ts', '--select', 'shop/*']);
 */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let code: number = EXIT.ok;
  const program = new Command('cairn')
    .description('Cairn: an asset-centric data orchestrator')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.trimEnd()),
      writeErr: (s) => io.err(s.trimEnd()),
    });
  const defsOption = () =>
    new Option('--defs <module>', 'definitions module (default: "cairn.defs" of package.json)');
  const homeOption = () =>
    new Option('--home <dir>', 'Cairn home directory (default: $CAIRN_HOME or .cairn)');
  program
    .command('daemon')
    .description('run the daemon until SIGINT/SIGTERM')
    .addOption(defsOption())
    .addOption(homeOption())
    .option('--workers <n>', 'worker processes (default 2)', positiveInt)
    .action(async (opts) => {
      code = await runDaemon(opts, io);
    });
  program
    .command('materialize')
    .description('run one selection (and partitions) and exit non-zero when the run fails')
    .addOption(defsOption())
    .requiredOption('--select <selection>', 'asset selection, e.g. "shop/*" or "+revenue"')
    .option('--partition <key>', 'one partition key')
    .option('--from <key>', 'first partition of a range (with --to)')
    .option('--to <key>', 'last partition of a range, inclusive (with --from)')
    .addOption(homeOption())
    .action(async (opts) => {
      code = await materialize(opts, io);
    });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    io.err(`error: ${message(err)}`);
    return exitCodeOf(err);
  }
  return code;
}
