import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import {
  countEvaluations,
  type FailOn,
  failuresAtOrAbove,
  githubAnnotations,
  junitXml,
  summaryTable,
} from '../../checks/check-report.js';
import { runStoredChecks } from '../../checks/run-stored-checks.js';
import { loadDefinitions } from '../../definitions/load-definitions.js';
import { openStorage } from '../../storage/storage.js';
import type { CliContext } from '../cli-context.js';
import { EXIT } from '../exit-codes.js';
import { collect, defsOption, defsPath, homeOption, jsonOption } from '../options.js';
import { printJson } from '../output.js';
import { Progress } from '../progress.js';

interface CheckOptions {
  defs?: string;
  home?: string;
  select: string;
  partition?: string[];
  from?: string;
  to?: string;
  failOn: FailOn;
  junit?: string;
  format: 'text' | 'github' | 'json';
  json?: boolean;
}

/** `cairn check`: runs only the checks of a selection against the stored values. */
export function registerCheck(program: Command, ctx: CliContext): void {
  program
    .command('check')
    .description(
      'run only the checks of the selected assets against their stored values; exit 1 when a check at or above --fail-on fails',
    )
    .addOption(defsOption())
    .addOption(homeOption())
    .requiredOption('--select <selection>', 'asset selection whose checks run, e.g. "shop/*"')
    .option(
      '--partition <key>',
      'a partition to check (repeatable; default: every materialized partition)',
      collect,
    )
    .option('--from <key>', 'first partition of a range (with --to)')
    .option('--to <key>', 'last partition of a range, inclusive (with --from)')
    .addOption(
      new Option('--fail-on <severity>', 'lowest severity of a failed check that fails the command')
        .choices(['warn', 'error'])
        .default('error'),
    )
    .option('--junit <file>', 'write a JUnit XML report to this file')
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['text', 'github', 'json'])
        .default('text'),
    )
    .addOption(jsonOption().conflicts('format'))
    .action(async (opts: CheckOptions) => {
      const { io } = ctx;
      if ((opts.from === undefined) !== (opts.to === undefined)) {
        io.err('error: --from and --to go together (a range of partitions, both inclusive).');
        ctx.exit(EXIT.usage);
        return;
      }
      if (opts.partition !== undefined && opts.from !== undefined) {
        io.err('error: give --partition or --from/--to, not both.');
        ctx.exit(EXIT.usage);
        return;
      }
      const format = opts.json ? 'json' : opts.format;
      const path = defsPath(opts);
      const { defs } = await loadDefinitions(path);
      const home = resolve(opts.home ?? process.env.CAIRN_HOME ?? '.cairn');
      mkdirSync(home, { recursive: true });
      const storage = await openStorage({ path: join(home, 'cairn.db') });
      const progress = format === 'text' ? new Progress(io, 'checks') : undefined;
      let evaluations: Awaited<ReturnType<typeof runStoredChecks>>;
      try {
        evaluations = await runStoredChecks({
          definitions: defs,
          storage,
          home,
          selection: opts.select,
          ...(opts.partition === undefined ? {} : { partitionKeys: opts.partition }),
          ...(opts.from === undefined || opts.to === undefined
            ? {}
            : { range: { from: opts.from, to: opts.to } }),
          onEvaluation: (_e, done, total) => progress?.update(done, total),
        });
      } finally {
        await storage.close();
      }
      if (opts.junit !== undefined) {
        const file = resolve(opts.junit);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, junitXml(evaluations));
      }
      const failures = failuresAtOrAbove(evaluations, opts.failOn);
      const counts = countEvaluations(evaluations);
      if (format === 'json') {
        printJson(io, {
          ok: failures.length === 0,
          failOn: opts.failOn,
          counts,
          evaluations: evaluations.map((e) => ({ ...e, partitionKey: e.partitionKey ?? null })),
        });
      } else if (format === 'github') {
        for (const line of githubAnnotations(evaluations, relative(process.cwd(), path))) {
          io.out(line);
        }
        io.out(
          `cairn check: ${counts.total} checks, ${counts.passed} passed, ${counts.failedError} failed (error), ${counts.failedWarn} failed (warn); --fail-on ${opts.failOn}: ${failures.length === 0 ? 'ok' : 'FAILED'}.`,
        );
      } else {
        if (evaluations.length === 0) {
          io.out(`No checks to run for "${opts.select}" (no checks, or nothing materialized).`);
        } else {
          for (const line of summaryTable(evaluations)) io.out(line);
        }
        if (failures.length > 0) {
          io.out(
            `${failures.length} failed check(s) at or above severity "${opts.failOn}": exit 1.`,
          );
        }
      }
      ctx.exit(failures.length === 0 ? EXIT.ok : EXIT.failed);
    });
}
