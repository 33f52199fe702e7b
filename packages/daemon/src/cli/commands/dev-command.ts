import { type ChildProcess, spawn } from 'node:child_process';
import { type FSWatcher, watch } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { EXIT } from '../exit-codes.js';
import { defsOption, defsPath, homeOption, port } from '../options.js';
import { untilSignal } from '../until-signal.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '../../../bin/cairn.js');
// Editors write a file in several steps (temp file, rename, chmod): wait for the burst to end.
const DEBOUNCE_MS = 300;
// Changes under these never affect the definitions (and the home changes on every run).
const IGNORED = /(^|[\\/])(node_modules|\.git|\.cairn|dist)([\\/]|$)/;

interface DevOptions {
  defs?: string;
  home?: string;
  port: number;
}

function cairn(args: string[], stdio: 'pipe' | 'inherit'): ChildProcess {
  // Own process group: Ctrl-C reaches only the supervisor, which stops the server exactly once.
  return spawn(process.execPath, [BIN, ...args], {
    stdio: ['ignore', stdio, stdio],
    detached: true,
  });
}

/** Loads the definitions in a fresh process (a fresh module cache): the error, or undefined when valid. */
function validate(defs: string): Promise<string | undefined> {
  return new Promise((done) => {
    const child = cairn(['validate', '--defs', defs], 'pipe');
    let text = '';
    child.stdout?.on('data', (d) => {
      text += String(d);
    });
    child.stderr?.on('data', (d) => {
      text += String(d);
    });
    child.on('close', (code) => done(code === 0 ? undefined : text.trim()));
  });
}

/**
 * `cairn dev`: a supervisor that runs `cairn start` on the embedded SQLite in a child process,
 * watches the definitions module's directory tree, validates the definitions in a fresh process
 * after each change and, when they load, restarts the child with them; when they do not, prints
 * the error and keeps the running definitions.
 */
export function registerDev(program: Command, ctx: CliContext): void {
  program
    .command('dev')
    .description(
      'daemon + API (+ UI) in one process on the embedded SQLite; reloads the definitions when their files change',
    )
    .addOption(defsOption())
    .option('--port <port>', 'port to listen on (0 picks a free one)', port, 3000)
    .addOption(homeOption())
    .action(async (opts: DevOptions) => {
      const { io } = ctx;
      const defs = defsPath(opts);
      const home = resolve(opts.home ?? process.env.CAIRN_HOME ?? '.cairn');
      const signal = untilSignal();
      let currentPort = opts.port;
      let child: ChildProcess | undefined;
      let announced = false;
      const stopping = new WeakSet<ChildProcess>();
      // Should the supervisor die without its graceful path, take the server with it.
      const killOnExit = () => child?.kill('SIGTERM');
      process.once('exit', killOnExit);

      const startChild = (): Promise<boolean> =>
        new Promise((ready) => {
          const c = cairn(
            [
              'start',
              '--defs',
              defs,
              '--home',
              home,
              '--port',
              String(currentPort),
              '--host',
              '127.0.0.1',
            ],
            'pipe',
          );
          child = c;
          let buffered = '';
          let settled = false;
          c.stdout?.on('data', (d) => {
            buffered += String(d);
            const lines = buffered.split('\n');
            buffered = lines.pop() ?? '';
            for (const line of lines) {
              const m = /listening on (http:\/\/\S+?:(\d+)) /.exec(line);
              if (m !== null && !settled) {
                settled = true;
                currentPort = Number(m[2]);
                io.out(
                  announced
                    ? `cairn dev: reloaded the definitions; serving ${m[1]}`
                    : `cairn dev: serving ${m[1]} (definitions ${defs}, home ${home}). Ctrl-C to stop.`,
                );
                announced = true;
                ready(true);
              } else if (
                !line.startsWith('cairn dev:') &&
                !/^cairn start: (stopping|stopped)/.test(line)
              ) {
                io.out(line);
              }
            }
          });
          c.stderr?.on('data', (d) => io.err(String(d).trimEnd()));
          c.on('exit', (code, sig) => {
            if (child === c) child = undefined;
            if (settled && !stopping.has(c)) {
              io.err(
                `cairn dev: the server exited (${sig ?? `code ${code}`}); fix the cause, a file change restarts it.`,
              );
            }
            if (!settled) {
              settled = true;
              ready(false);
            }
          });
        });

      const stopChild = async () => {
        const c = child;
        if (c === undefined || c.exitCode !== null || c.signalCode !== null) return;
        stopping.add(c);
        const exited = new Promise((r) => c.once('exit', r));
        c.kill('SIGTERM');
        await exited;
      };

      if (!(await startChild())) {
        signal.dispose();
        io.err('cairn dev: the server did not start (see the error above).');
        ctx.exit(EXIT.failed);
        return;
      }

      let timer: NodeJS.Timeout | undefined;
      let reloading = Promise.resolve();
      const reload = async () => {
        const error = await validate(defs);
        if (error !== undefined) {
          io.err(`cairn dev: the definitions failed to load; keeping the previous ones.\n${error}`);
          return;
        }
        await stopChild();
        if (!(await startChild())) io.err('cairn dev: the server did not restart (see above).');
      };
      const root = dirname(defs);
      let watcher: FSWatcher | undefined;
      try {
        watcher = watch(root, { recursive: true }, (_event, file) => {
          if (file === null) return;
          const name = String(file);
          if (IGNORED.test(name) || resolve(root, name).startsWith(`${home}/`)) return;
          clearTimeout(timer);
          timer = setTimeout(() => {
            io.out(
              `cairn dev: ${relative(process.cwd(), resolve(root, name)) || name} changed; reloading.`,
            );
            reloading = reloading.then(reload);
          }, DEBOUNCE_MS);
        });
      } catch (err) {
        io.err(`cairn dev: cannot watch ${root} (${String(err)}); reloading is off.`);
      }
      await signal.received;
      signal.dispose();
      watcher?.close();
      clearTimeout(timer);
      await reloading;
      await stopChild();
      process.off('exit', killOnExit);
      io.out('cairn dev: stopped.');
      ctx.exit(EXIT.ok);
    });
}
