import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The real binary. */
export const BIN = join(here, '../../bin/cairn.js');
/** Fixture definitions of the CLI tests. */
export const RUNS_DEFS = join(here, '../fixtures/runs-defs.ts');
export const CHECKS_DEFS = join(here, '../fixtures/cli-checks-defs.ts');

const dirs: string[] = [];
const children = new Set<ChildProcess>();

/** A temp dir removed by `cleanup()`. */
export function tempDir(prefix = 'cairn-cli-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** Kills the children still running (by their own pid) and removes the temp dirs. */
export async function cleanup(): Promise<void> {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  }
  children.clear();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** The outcome of one `cairn` process. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/cairn.js ...args` in a real child process and waits for it to exit. */
export function cairn(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, CAIRN_URL: '', CAIRN_API_TOKEN: '', ...options.env },
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += String(d);
    });
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    child.on('close', (code) => {
      children.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A long-running `cairn` process (start, dev) that printed its URL. */
export interface RunningCli {
  url: string;
  child: ChildProcess;
  output(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Spawns a long-running command and resolves once a line matches `http://...`. */
export function spawnServer(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<RunningCli> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, CAIRN_URL: '', CAIRN_API_TOKEN: '', ...options.env },
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    children.add(child);
    let out = '';
    let resolved = false;
    const onData = (d: Buffer) => {
      out += String(d);
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m !== null && !resolved) {
        resolved = true;
        resolve({
          url: m[1]!,
          child,
          output: () => out,
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done(child.exitCode);
              child.once('exit', (code) => done(code));
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      children.delete(child);
      if (!resolved) reject(new Error(`cairn ${args.join(' ')} exited ${code}:\n${out}`));
    });
  });
}

/**
 * Polls `fn` until it returns a value other than undefined. Gives up after `withinMs` with an error
 * that includes `explain()` (a process's output, say), so a hang fails with its cause, not the
 * test's bare timeout.
 */
export async function eventually<T>(
  fn: () => Promise<T | undefined>,
  options: { everyMs?: number; withinMs?: number; explain?: () => string } = {},
): Promise<T> {
  const { everyMs = 200, withinMs = 60_000, explain } = options;
  const deadline = Date.now() + withinMs;
  let lastError: unknown;
  for (;;) {
    const v = await fn().catch((err: unknown) => {
      lastError = err;
      return undefined;
    });
    if (v !== undefined) return v;
    if (Date.now() > deadline) {
      const last = lastError === undefined ? '' : `; last error: ${String(lastError)}`;
      throw new Error(
        `eventually: no result within ${withinMs} ms${last}${explain === undefined ? '' : `\n${explain()}`}`,
      );
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
