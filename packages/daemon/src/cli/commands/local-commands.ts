import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { type Command, Option } from 'commander';
import { loadDefinitions } from '../../definitions/load-definitions.js';
import { openStorage } from '../../storage/storage.js';
import type { CliContext } from '../cli-context.js';
import { EXIT } from '../exit-codes.js';
import { defsOption, defsPath, homeOption, jsonOption } from '../options.js';
import { printJson, printTable } from '../output.js';
import { GRAPH_FORMATS, type GraphFormat, renderGraph } from '../render-graph.js';

function describePartitions(p: { type?: unknown } | null): string {
  return p === null ? '-' : String(p.type ?? 'partitioned');
}

/** `cairn list`: the assets of the definitions (no daemon needed). */
export function registerList(program: Command, ctx: CliContext): void {
  program
    .command('list')
    .description('list the assets of the definitions (no daemon needed)')
    .addOption(defsOption())
    .addOption(jsonOption())
    .action(async (opts: { defs?: string; json?: boolean }) => {
      const { defs } = await loadDefinitions(defsPath(opts));
      const { nodes } = defs.graph.snapshot();
      if (opts.json) {
        printJson(ctx.io, { assets: nodes });
        return;
      }
      printTable(
        ctx.io,
        ['asset', 'group', 'partitions', 'checks', 'kinds'],
        nodes.map((n) => [
          n.key,
          n.group,
          describePartitions(n.partitions as { type?: unknown } | null),
          n.checks.join(',') || '-',
          [n.external ? 'external' : '', ...n.kinds].filter(Boolean).join(',') || '-',
        ]),
      );
    });
}

/** `cairn graph`: the lineage graph of the definitions in text, Mermaid, DOT or JSON. */
export function registerGraph(program: Command, ctx: CliContext): void {
  program
    .command('graph')
    .description('print the lineage graph of the definitions (no daemon needed)')
    .addOption(defsOption())
    .addOption(
      new Option('--format <format>', 'output format').choices(GRAPH_FORMATS).default('text'),
    )
    .action(async (opts: { defs?: string; format: GraphFormat }) => {
      const { defs } = await loadDefinitions(defsPath(opts));
      ctx.io.out(renderGraph(defs.graph.snapshot(), opts.format));
    });
}

/** `cairn validate`: loads and validates the definitions; exit 1 with the error's message. */
export function registerValidate(program: Command, ctx: CliContext): void {
  program
    .command('validate')
    .description('load and validate the definitions; exit 1 with the error when they are invalid')
    .addOption(defsOption())
    .addOption(jsonOption())
    .action(async (opts: { defs?: string; json?: boolean }) => {
      let path: string | undefined;
      try {
        path = defsPath(opts);
        const { defs } = await loadDefinitions(path);
        const summary = {
          valid: true,
          path,
          assets: defs.assets.size,
          checks: defs.checks.size,
          schedules: defs.schedules.length,
          sensors: defs.sensors.length,
        };
        if (opts.json) printJson(ctx.io, summary);
        else
          ctx.io.out(
            `Definitions valid: ${summary.assets} assets, ${summary.checks} checks, ${summary.schedules} schedules, ${summary.sensors} sensors (${path}).`,
          );
      } catch (err) {
        // A module that threw while loading is wrapped in CAIRN_DEFINITIONS_LOAD_FAILED; when what
        // it threw is core's CairnError (a cycle, an unknown dependency...), that is the news.
        const outer = err as { code?: string; message?: string; cause?: unknown };
        const inner = outer.cause as { code?: unknown; message?: unknown } | undefined;
        const e =
          typeof inner?.code === 'string' && inner.code.startsWith('CAIRN_')
            ? (inner as { code: string; message?: string })
            : outer;
        const code = typeof e.code === 'string' ? e.code : 'CAIRN_DEFINITIONS_LOAD_FAILED';
        const message = e.message ?? String(err);
        const cause = e === outer && outer.cause instanceof Error ? outer.cause.message : undefined;
        if (opts.json) {
          printJson(ctx.io, { valid: false, path: path ?? null, error: { code, message, cause } });
        } else {
          ctx.io.err(`error: ${code}: ${message}`);
          if (cause !== undefined && !message.includes(cause)) ctx.io.err(`  cause: ${cause}`);
          if (e !== outer && path !== undefined) ctx.io.err(`  in ${path}`);
        }
        ctx.exit(EXIT.failed);
      }
    });
}

function appliedBefore(dbPath: string): string[] {
  if (!existsSync(dbPath)) return [];
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('select name from cairn_migration order by name').all() as {
      name: string;
    }[];
    return rows.map((r) => r.name);
  } catch {
    return [];
  } finally {
    db.close();
  }
}

/** `cairn migrate`: applies the storage migrations to the home's database and reports them. */
export function registerMigrate(program: Command, ctx: CliContext): void {
  program
    .command('migrate')
    .description("apply the storage migrations to the home's database and report them")
    .addOption(homeOption())
    .addOption(jsonOption())
    .action(async (opts: { home?: string; json?: boolean }) => {
      const home = resolve(opts.home ?? process.env.CAIRN_HOME ?? '.cairn');
      const path = join(home, 'cairn.db');
      const before = appliedBefore(path);
      mkdirSync(home, { recursive: true });
      const storage = await openStorage({ path });
      await storage.close();
      const after = appliedBefore(path);
      const appliedNow = after.filter((m) => !before.includes(m));
      if (opts.json) {
        printJson(ctx.io, { database: path, applied: appliedNow, current: after });
        return;
      }
      ctx.io.out(
        appliedNow.length === 0
          ? `Database ${path} is up to date (${after.length} migrations: ${after.join(', ')}).`
          : `Database ${path}: applied ${appliedNow.join(', ')}; now at ${after[after.length - 1]}.`,
      );
    });
}

/**
 * `cairn rebuild-indexes`: truncates the derived tables and replays the event log into them (the
 * log is the source of truth; use it after a bug fix in the indexing code or a manual repair).
 */
export function registerRebuildIndexes(program: Command, ctx: CliContext): void {
  program
    .command('rebuild-indexes')
    .description(
      'rebuild the derived indexes (partition status, latest materializations, checks, runs, backfill ledgers) from the event log',
    )
    .addOption(homeOption())
    .addOption(
      new Option(
        '--database-url <url>',
        'rebuild a Postgres database instead of <home>/cairn.db',
      ).env('CAIRN_DATABASE_URL'),
    )
    .addOption(jsonOption())
    .action(async (opts: { home?: string; databaseUrl?: string; json?: boolean }) => {
      const home = resolve(opts.home ?? process.env.CAIRN_HOME ?? '.cairn');
      const path = join(home, 'cairn.db');
      if (opts.databaseUrl === undefined && !existsSync(path)) {
        ctx.io.err(`error: no database at ${path}: pass --home (or --database-url).`);
        ctx.exit(EXIT.usage);
        return;
      }
      const storage = await openStorage(
        opts.databaseUrl === undefined ? { path } : { databaseUrl: opts.databaseUrl },
      );
      try {
        const result = await storage.rebuildIndexes();
        if (opts.json) printJson(ctx.io, { database: storage.where, ...result });
        else
          ctx.io.out(
            `Rebuilt the indexes of ${storage.where} from ${result.events} events in ${Math.round(result.durationMs)} ms.`,
          );
      } finally {
        await storage.close();
      }
    });
}
