import type { Command } from 'commander';
import type { ApiBackfill, BackfillPartitionsRequest } from '../../client/api-types.js';
import type { CliContext } from '../cli-context.js';
import { EXIT } from '../exit-codes.js';
import { clientOf, collect, positiveInt } from '../options.js';
import { printJson, printTable } from '../output.js';
import { Progress } from '../progress.js';
import { withClient } from './runs-command.js';

type ClientOpts = { url?: string; token?: string; json?: boolean };

// States in which a backfill still has work to do.
const ACTIVE = new Set(['requested', 'running', 'in_progress']);

function doneOf(c: Record<string, number>): number {
  return (c.materialized ?? 0) + (c.failed ?? 0) + (c.canceled ?? 0);
}

function progressText(b: ApiBackfill): string {
  const c = b.counts ?? {};
  return `${doneOf(c)}/${b.total ?? '?'} done (${c.materialized ?? 0} materialized, ${c.failed ?? 0} failed)`;
}

/** `cairn backfill create|list|show|cancel|resume|retry-failed`, through a daemon's API. */
export function registerBackfill(program: Command, ctx: CliContext): void {
  const backfill = program
    .command('backfill')
    .description('create and control backfills (talks to a running daemon)');
  withClient(
    backfill
      .command('create')
      .description('request many partitions of a selection; the daemon splits them into runs')
      .requiredOption('--select <selection>', 'asset selection')
      .option('--partition <key>', 'a partition (repeatable)', collect)
      .option('--from <key>', 'first partition of a range (with --to)')
      .option('--to <key>', 'last partition of a range, inclusive (with --from)')
      .option('--missing', 'every missing partition')
      .option('--failed', 'every failed partition'),
  ).action(
    async (
      opts: ClientOpts & {
        select: string;
        partition?: string[];
        from?: string;
        to?: string;
        missing?: boolean;
        failed?: boolean;
      },
    ) => {
      const hasRange = opts.from !== undefined || opts.to !== undefined;
      const given = [opts.partition !== undefined, hasRange, opts.missing, opts.failed].filter(
        Boolean,
      ).length;
      if (given !== 1 || (hasRange && (opts.from === undefined || opts.to === undefined))) {
        ctx.io.err(
          'error: give exactly one of --partition (repeatable), --from with --to, --missing or --failed.',
        );
        ctx.exit(EXIT.usage);
        return;
      }
      const partitions: BackfillPartitionsRequest =
        opts.partition !== undefined
          ? { keys: opts.partition }
          : hasRange
            ? { range: { from: opts.from!, to: opts.to! } }
            : opts.missing
              ? { missing: true }
              : { failed: true };
      const out = await clientOf(opts).createBackfill({ selection: opts.select, partitions });
      if (opts.json) return printJson(ctx.io, out);
      ctx.io.out(`Backfill ${out.backfillId} created (${opts.select}).`);
    },
  );
  withClient(
    backfill
      .command('list')
      .description('list backfills, newest first')
      .option('--status <status>', 'only backfills with this status')
      .option('--limit <n>', 'at most this many (default 20)', positiveInt),
  ).action(async (opts: ClientOpts & { status?: string; limit?: number }) => {
    const page = await clientOf(opts).backfills({ status: opts.status, limit: opts.limit ?? 20 });
    if (opts.json) return printJson(ctx.io, page);
    if (page.backfills.length === 0) return ctx.io.out('No backfills.');
    printTable(
      ctx.io,
      ['backfill', 'state', 'selection', 'progress', 'created'],
      page.backfills.map((b) => [
        b.backfillId,
        String(b.state),
        Array.isArray(b.selection) ? b.selection.join(',') : String(b.selection ?? '-'),
        progressText(b),
        String(b.createdAt ?? '-'),
      ]),
    );
  });
  withClient(
    backfill
      .command('show')
      .description('show a backfill and its progress')
      .argument('<id>', 'the backfill id')
      .option(
        '--watch',
        'follow its progress until it ends (a bar in a terminal, lines in CI logs)',
      ),
  ).action(async (id: string, opts: ClientOpts & { watch?: boolean }) => {
    const client = clientOf(opts);
    let { backfill: b } = await client.backfill(id);
    if (opts.watch && !opts.json) {
      const progress = new Progress(ctx.io, `backfill ${id}`);
      for (;;) {
        const c = b.counts ?? {};
        progress.update(doneOf(c), b.total ?? 0);
        if (!ACTIVE.has(b.state)) break;
        // One poll a second: a backfill's chunks take seconds, and the API is cheap to ask.
        await new Promise((r) => setTimeout(r, 1000));
        ({ backfill: b } = await client.backfill(id));
      }
    }
    if (opts.json) return printJson(ctx.io, { backfill: b });
    ctx.io.out(`Backfill ${b.backfillId}: ${b.state}, ${progressText(b)}.`);
    const rows = Object.entries(b.assets ?? {}).map(([asset, c]) => [
      asset,
      ...['requested', 'in_progress', 'materialized', 'failed', 'canceled'].map((k) =>
        String(c[k] ?? 0),
      ),
    ]);
    if (rows.length > 0) {
      printTable(
        ctx.io,
        ['asset', 'requested', 'in progress', 'materialized', 'failed', 'canceled'],
        rows,
      );
    }
  });
  for (const action of ['cancel', 'resume', 'retry-failed'] as const) {
    const what = {
      cancel: 'cancel a backfill (its running runs are cancelled)',
      resume: 'resume a canceled or failed backfill',
      'retry-failed': 'request the failed partitions of a backfill again',
    }[action];
    withClient(
      backfill.command(action).description(what).argument('<id>', 'the backfill id'),
    ).action(async (id: string, opts: ClientOpts) => {
      const out = await clientOf(opts).controlBackfill(id, action);
      if (opts.json) return printJson(ctx.io, out);
      const b = (out.backfill ?? out) as Record<string, unknown>;
      const state = b.state ?? b.status;
      ctx.io.out(
        `Backfill ${String(b.backfillId ?? id)}: ${action} done${state === undefined ? '' : ` (now ${String(state)})`}.`,
      );
    });
  }
}
