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
// Between stopping the old server and the new one listening (a second or two), another process
// can take the port: the restart tries again for this long (env CAIRN_DEV_PORT_WAIT_MS) before
// giving up or, for --port 0, moving to a new free port.
const PORT_WAIT_MS = 10_000;
const PORT_RETRY_MS = 500;

function portWaitMs(): number {
  const ms = Number(process.env.CAIRN_DEV_PORT_WAIT_MS);
  return Number.isFinite(ms) && ms >= 0 ? ms : PORT_WAIT_MS;
}

/** How a server child's start ended: listening, its port taken, or another failure. */
type StartOutcome = 'ready' | 'port-in-use' | 'failed';

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

      /**
       * Starts the server child. Its stderr is held back until it listens (then relayed live), so
       * a start that is retried does not print the same error each time: `report()` prints it.
       */
      const startChild = (): Promise<{ outcome: StartOutcome; report(): void }> =>
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
          let startErr = '';
          let settled = false;
          const report = () => {
            if (startErr !== '') io.err(startErr.trimEnd());
          };
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
                report();
                ready({ outcome: 'ready', report() {} });
              } else if (
                !line.startsWith('cairn dev:') &&
                !/^cairn start: (stopping|stopped)/.test(line)
              ) {
                io.out(line);
              }
            }
          });
          c.stderr?.on('data', (d) => {
            if (settled) io.err(String(d).trimEnd());
            else startErr += String(d);
          });
          c.on('exit', (code, sig) => {
            if (child === c) child = undefined;
            if (settled && !stopping.has(c)) {
              io.err(
                `cairn dev: the server exited (${sig ?? `code ${code}`}); fix the cause, a file change restarts it.`,
              );
            }
          });
          // 'close' (not 'exit'): by then all of its stderr has been read, to tell why it failed.
          c.on('close', () => {
            if (!settled) {
              settled = true;
              ready({
                outcome: /CAIRN_PORT_IN_USE/.test(startErr) ? 'port-in-use' : 'failed',
                report,
              });
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

      let timer: NodeJS.Timeout | undefined;
      let stopped = false;
      // Reloads queue behind the first start (a change while it boots reloads once it is up).
      let firstStarted: () => void = () => {};
      let reloading = new Promise<void>((r) => {
        firstStarted = r;
      });
      const reload = async () => {
        const error = await validate(defs);
        if (error !== undefined) {
          io.err(`cairn dev: the definitions failed to load; keeping the previous ones.\n${error}`);
          return;
        }
        await stopChild();
        const port = currentPort;
        const waitUntil = Date.now() + portWaitMs();
        let started = await startChild();
        if (started.outcome === 'port-in-use') {
          io.out(`cairn dev: port ${port} is taken by another process; waiting for it.`);
        }
        while (started.outcome === 'port-in-use' && Date.now() < waitUntil && !stopped) {
          await new Promise((r) => setTimeout(r, PORT_RETRY_MS));
          started = await startChild();
        }
        if (started.outcome === 'port-in-use' && opts.port === 0 && !stopped) {
          // The user asked for any free port: take a new one rather than stay down.
          io.out(`cairn dev: port ${port} is still taken; moving to a free port.`);
          currentPort = 0;
          started = await startChild();
        }
        if (started.outcome !== 'ready') {
          started.report();
          io.err('cairn dev: the server did not restart (see above); a file change tries again.');
        }
      };
      // Watch before the server starts, so a change saved right after "serving" is never missed.
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
      const first = await startChild();
      if (first.outcome !== 'ready') {
        watcher?.close();
        clearTimeout(timer);
        first.report();
        signal.dispose();
        io.err('cairn dev: the server did not start (see the error above).');
        ctx.exit(EXIT.failed);
        return;
      }
      firstStarted();

      await signal.received;
      stopped = true;
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
