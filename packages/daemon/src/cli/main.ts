import { Command, CommanderError } from 'commander';
import { type CliContext, type CliIo, processIo } from './cli-context.js';
import { registerBackfill } from './commands/backfill-command.js';
import { registerCheck } from './commands/check-command.js';
import { registerDaemon } from './commands/daemon-command.js';
import { registerDev } from './commands/dev-command.js';
import {
  registerGraph,
  registerList,
  registerMigrate,
  registerRebuildIndexes,
  registerValidate,
} from './commands/local-commands.js';
import { registerMaterialize } from './commands/materialize-command.js';
import { registerRuns } from './commands/runs-command.js';
import { registerStart } from './commands/start-command.js';
import { registerStatus, registerWipe } from './commands/status-command.js';
import { registerWorker } from './commands/worker-command.js';
import { EXIT, exitCodeOf } from './exit-codes.js';

export type { CliIo } from './cli-context.js';

function message(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  const text = err instanceof Error ? err.message : String(err);
  return typeof code === 'string' && code.startsWith('CAIRN_') ? `${code}: ${text}` : text;
}

/**
 * The `cairn` command tree (commander). `main()` runs it; the CLI reference generator
 * (scripts/generate-cli-reference.ts) reads it.
 */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('cairn')
    .description('Cairn: an asset-centric data orchestrator')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => ctx.io.out(s.trimEnd()),
      writeErr: (s) => ctx.io.err(s.trimEnd()),
    });
  registerDev(program, ctx);
  registerStart(program, ctx);
  registerDaemon(program, ctx);
  registerWorker(program, ctx);
  registerMaterialize(program, ctx);
  registerCheck(program, ctx);
  registerBackfill(program, ctx);
  registerRuns(program, ctx);
  registerStatus(program, ctx);
  registerList(program, ctx);
  registerGraph(program, ctx);
  registerValidate(program, ctx);
  registerWipe(program, ctx);
  registerMigrate(program, ctx);
  registerRebuildIndexes(program, ctx);
  // Every subcommand inherits the exit override and output, so usage errors anywhere exit 2.
  const inherit = (cmd: Command) => {
    for (const sub of cmd.commands) {
      sub.exitOverride().showHelpAfterError('(run with --help for usage)');
      sub.configureOutput({
        writeOut: (s) => ctx.io.out(s.trimEnd()),
        writeErr: (s) => ctx.io.err(s.trimEnd()),
      });
      inherit(sub);
    }
  };
  inherit(program);
  return program;
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and resolves with the exit code:
 * 0 success, 1 failure, 2 usage error.
 *
 * @example
 * process.exitCode = await main(['materialize', '--defs', 'src/defs.ts', '--select', 'shop/*']);
 */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let code: number = EXIT.ok;
  const ctx: CliContext = {
    io,
    exit: (c) => {
      code = c;
    },
  };
  const program = buildProgram(ctx);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; every other commander error is a usage error.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    io.err(`error: ${message(err)}`);
    return exitCodeOf(err);
  }
  return code;
}
