import type { Command } from 'commander';
import type { CairnClient } from '../../client/cairn-client.js';
import type { CliContext } from '../cli-context.js';
import { EXIT } from '../exit-codes.js';
import { clientOf, collect } from '../options.js';
import { printJson, printTable } from '../output.js';
import { withClient } from './runs-command.js';

type ClientOpts = { url?: string; token?: string; json?: boolean };

/** Staleness counts, or null while the daemon does not compute staleness (501). */
async function stalenessOf(client: CairnClient, key: string) {
  try {
    return (await client.staleness(key, { limit: 1 })).counts;
  } catch (err) {
    if ((err as { status?: number }).status === 501) return null;
    throw err;
  }
}

/** `cairn status [asset]`: partition status counts and staleness, through a daemon's API. */
export function registerStatus(program: Command, ctx: CliContext): void {
  withClient(
    program
      .command('status')
      .description(
        'partition status counts and staleness of every asset, or of one (talks to a running daemon)',
      )
      .argument('[asset]', 'an asset key, e.g. shop/orders'),
  ).action(async (asset: string | undefined, opts: ClientOpts) => {
    const client = clientOf(opts);
    if (asset === undefined) {
      const { nodes } = await client.graph();
      if (opts.json) {
        return printJson(ctx.io, { assets: nodes.map((n) => ({ key: n.key, status: n.status })) });
      }
      printTable(
        ctx.io,
        ['asset', 'total', 'materialized', 'failed', 'in progress', 'missing', 'stale'],
        nodes.map((n) => [
          n.key,
          ...[
            n.status.total,
            n.status.materialized,
            n.status.failed,
            n.status.inProgress,
            n.status.missing,
            n.status.stale,
          ].map((v) => (v === null || v === undefined ? '-' : String(v))),
        ]),
      );
      return;
    }
    const [partitions, staleness] = await Promise.all([
      client.partitions(asset, { limit: 50 }),
      stalenessOf(client, asset),
    ]);
    if (opts.json) return printJson(ctx.io, { asset, partitions, staleness });
    const c = partitions.counts;
    ctx.io.out(
      `${asset}: ${partitions.total} partitions: ${c.materialized} materialized, ${c.failed} failed, ${c.inProgress} in progress, ${c.missing} missing.`,
    );
    ctx.io.out(
      staleness === null
        ? 'staleness: not available from this daemon.'
        : `staleness: ${staleness.fresh} fresh, ${staleness.stale} stale, ${staleness.missing} missing.`,
    );
    if (partitions.ranges.length > 0) {
      printTable(
        ctx.io,
        ['from', 'to', 'status'],
        partitions.ranges.map((r) => [r.startKey, r.endKey, r.status]),
      );
    }
  });
}

/** `cairn wipe <asset> [--partition k]...`: forgets materializations, through a daemon's API. */
export function registerWipe(program: Command, ctx: CliContext): void {
  withClient(
    program
      .command('wipe')
      .description('wipe an asset, or some of its partitions (talks to a running daemon)')
      .argument('<asset>', 'the asset key')
      .option('--partition <key>', 'a partition to wipe (repeatable; default: all)', collect),
  ).action(async (asset: string, opts: ClientOpts & { partition?: string[] }) => {
    const { wiped } = await clientOf(opts).wipe(asset, opts.partition);
    if (opts.json) return printJson(ctx.io, { asset, wiped });
    ctx.io.out(`Wiped ${wiped} partition(s) of ${asset}.`);
    ctx.exit(EXIT.ok);
  });
}
