import type { Command } from 'commander';
import type { ApiRun } from '../../client/api-types.js';
import type { CliContext } from '../cli-context.js';
import { clientOf, jsonOption, positiveInt, tokenOption, urlOption } from '../options.js';
import { printJson, printTable } from '../output.js';

type ClientOpts = { url?: string; token?: string; json?: boolean };

function withClient(cmd: Command): Command {
  return cmd.addOption(urlOption()).addOption(tokenOption()).addOption(jsonOption());
}

function runRow(r: ApiRun): string[] {
  const c = r.counts ?? {};
  return [
    r.runId,
    r.status,
    Array.isArray(r.selection) ? r.selection.join(',') : String(r.selection ?? '-'),
    (r.partitionKeys ?? []).length === 0
      ? '-'
      : (r.partitionKeys ?? []).length === 1
        ? String(r.partitionKeys![0])
        : `${(r.partitionKeys ?? []).length} partitions`,
    r.durationMs === null || r.durationMs === undefined ? '-' : `${Math.round(r.durationMs)} ms`,
    c.materializations === undefined ? '-' : String(c.materializations),
    String(r.queuedAt ?? r.startedAt ?? '-'),
  ];
}

/** `cairn runs [list|show|cancel|reexecute]`: runs of a running daemon, through its API. */
export function registerRuns(program: Command, ctx: CliContext): void {
  const runs = program
    .command('runs')
    .description('list, show, cancel and re-execute runs (talks to a running daemon)');
  withClient(
    runs
      .command('list', { isDefault: true })
      .description('list runs, newest first')
      .option(
        '--status <status>',
        'only runs with this status (queued, started, success, failure, canceled)',
      )
      .option('--asset <key>', 'only runs that include this asset')
      .option('--partition <key>', 'only runs that include this partition')
      .option('--backfill <id>', 'only runs of this backfill')
      .option('--limit <n>', 'at most this many runs (default 20)', positiveInt),
  ).action(
    async (
      opts: ClientOpts & {
        status?: string;
        asset?: string;
        partition?: string;
        backfill?: string;
        limit?: number;
      },
    ) => {
      const page = await clientOf(opts).runs({
        status: opts.status,
        asset: opts.asset,
        partition: opts.partition,
        backfill: opts.backfill,
        limit: opts.limit ?? 20,
      });
      if (opts.json) return printJson(ctx.io, page);
      if (page.runs.length === 0) return ctx.io.out('No runs.');
      printTable(
        ctx.io,
        ['run', 'status', 'selection', 'partitions', 'duration', 'mat.', 'queued'],
        page.runs.map(runRow),
      );
    },
  );
  withClient(
    runs.command('show').description('show a run with its steps').argument('<runId>', 'the run id'),
  ).action(async (runId: string, opts: ClientOpts) => {
    const detail = await clientOf(opts).run(runId);
    if (opts.json) return printJson(ctx.io, detail);
    const { run, steps } = detail;
    ctx.io.out(`Run ${run.runId}: ${run.status}`);
    printTable(
      ctx.io,
      ['step', 'status', 'attempts', 'error'],
      steps.map((s) => [
        s.stepKey,
        s.status,
        String(s.attempts ?? '-'),
        (s.error as { message?: string } | null | undefined)?.message ?? '',
      ]),
    );
  });
  withClient(
    runs
      .command('cancel')
      .description('cancel a queued or running run')
      .argument('<runId>', 'the run id'),
  ).action(async (runId: string, opts: ClientOpts) => {
    const { run } = await clientOf(opts).cancelRun(runId);
    if (opts.json) return printJson(ctx.io, { run });
    ctx.io.out(`Run ${run.runId}: ${run.status}.`);
  });
  withClient(
    runs
      .command('reexecute')
      .description('re-execute a finished run (from failure unless --all)')
      .argument('<runId>', 'the run id')
      .option('--all', 'run every step again, not only the failed and skipped ones'),
  ).action(async (runId: string, opts: ClientOpts & { all?: boolean }) => {
    const out = await clientOf(opts).reexecuteRun(runId, opts.all !== true);
    if (opts.json) return printJson(ctx.io, out);
    ctx.io.out(`Run ${out.runId} submitted (re-executes ${runId}).`);
  });
}

export { withClient };
