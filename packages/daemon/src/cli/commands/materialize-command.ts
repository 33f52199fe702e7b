import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { createDaemon } from '../../daemon.js';
import type { CliContext } from '../cli-context.js';
import { EXIT } from '../exit-codes.js';
import { defsOption, defsPath, homeOption, jsonOption } from '../options.js';
import { printJson } from '../output.js';

interface MaterializeOptions {
  defs?: string;
  select: string;
  partition?: string;
  from?: string;
  to?: string;
  home?: string;
  ephemeral?: boolean;
  json?: boolean;
}

/**
 * One run through the shared storage, with its own coordinator and one worker. With `ephemeral`
 * the home is a temporary directory removed afterwards (CI on fixture data), and any failed
 * check of severity error fails the command, blocking or not.
 */
async function materialize(opts: MaterializeOptions, ctx: CliContext): Promise<number> {
  const { io } = ctx;
  if ((opts.from === undefined) !== (opts.to === undefined)) {
    io.err('error: --from and --to go together (a range of partitions, both inclusive).');
    return EXIT.usage;
  }
  if (opts.partition !== undefined && opts.from !== undefined) {
    io.err('error: give --partition or --from/--to, not both.');
    return EXIT.usage;
  }
  if (opts.ephemeral && opts.home !== undefined) {
    io.err('error: --ephemeral runs in a throwaway home; do not give --home with it.');
    return EXIT.usage;
  }
  const defs = defsPath(opts);
  const home = opts.ephemeral ? mkdtempSync(join(tmpdir(), 'cairn-ephemeral-')) : opts.home;
  try {
    // scope "own": a daemon may be running on the same database; this process dispatches only its
    // own run and recovers nothing (WAL and the busy timeout make the two writers safe).
    const daemon = await createDaemon({
      defs,
      workers: 1,
      scope: 'own',
      ...(home === undefined ? {} : { home }),
    });
    try {
      const { runId } = await daemon.submit({
        selection: opts.select,
        ...(opts.partition === undefined ? {} : { partitionKey: opts.partition }),
        ...(opts.from === undefined || opts.to === undefined
          ? {}
          : { partitionRange: { from: opts.from, to: opts.to } }),
        tags: { 'cairn/source': opts.ephemeral ? 'cli-ephemeral' : 'cli' },
      });
      if (!opts.json) io.out(`Run ${runId} submitted (${opts.select}).`);
      const run = await daemon.waitForRun(runId);
      const steps = await daemon.storage.getSteps(runId);
      const failedSteps = steps
        .filter((s) => s.status === 'failed')
        .map((s) => ({
          stepKey: s.stepKey,
          message: (s.error as { message?: string } | null)?.message ?? 'unknown error',
        }));
      const checks = (await daemon.storage.getCheckResults()).filter((c) => c.runId === runId);
      const failedChecks = checks.filter((c) => !c.passed);
      const errorChecks = failedChecks.filter((c) => c.severity === 'error');
      const failed =
        run.status !== 'success' || (opts.ephemeral === true && errorChecks.length > 0);
      if (opts.json) {
        printJson(io, {
          runId,
          status: run.status,
          durationMs: run.durationMs,
          counts: run.counts ?? {},
          failedSteps,
          checks: checks.map((c) => ({
            checkId: c.checkId,
            partitionKey: c.partitionKey ?? null,
            passed: c.passed,
            severity: c.severity,
            blocking: c.blocking,
          })),
          ok: !failed,
        });
      } else {
        const c = run.counts ?? {};
        const time = run.durationMs === null ? '' : ` in ${Math.round(run.durationMs)} ms`;
        io.out(
          `Run ${runId} ${run.status}${time}: ${c.succeeded ?? 0} succeeded, ${c.failed ?? 0} failed, ${c.skipped ?? 0} skipped, ${c.materializations ?? 0} materializations.`,
        );
        for (const s of failedSteps) io.out(`  ${s.stepKey} failed: ${s.message}`);
        for (const f of failedChecks) {
          const where = f.partitionKey ? `${f.checkId}[${f.partitionKey}]` : f.checkId;
          io.out(`  check ${where} failed (${f.severity}${f.blocking ? ', blocking' : ''})`);
        }
        if (opts.ephemeral && run.status === 'success' && errorChecks.length > 0) {
          io.out(
            `${errorChecks.length} check(s) of severity error failed: exit 1 (--ephemeral fails on every error-severity check, blocking or not).`,
          );
        }
      }
      return failed ? EXIT.failed : EXIT.ok;
    } finally {
      await daemon.stop();
    }
  } finally {
    if (opts.ephemeral && home !== undefined) rmSync(home, { recursive: true, force: true });
  }
}

/** `cairn materialize`. */
export function registerMaterialize(program: Command, ctx: CliContext): void {
  program
    .command('materialize')
    .description('run one selection (and partitions) and exit non-zero when the run fails')
    .addOption(defsOption())
    .requiredOption('--select <selection>', 'asset selection, e.g. "shop/*" or "+revenue"')
    .option('--partition <key>', 'one partition key')
    .option('--from <key>', 'first partition of a range (with --to)')
    .option('--to <key>', 'last partition of a range, inclusive (with --from)')
    .addOption(homeOption())
    .option(
      '--ephemeral',
      'run in a throwaway home (CI on fixture data); exit 1 when any check of severity error fails',
    )
    .addOption(jsonOption())
    .action(async (opts: MaterializeOptions) => {
      ctx.exit(await materialize(opts, ctx));
    });
}
