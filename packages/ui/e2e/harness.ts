/**
 * Shared pieces of the end-to-end tests and the UI bench: build the UI, start `cairn dev` (or
 * `cairn start`) in a child process on a free port, and launch Debian's Chromium with
 * playwright-core.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContextOptions, chromium, type Page } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root. */
export const ROOT = join(here, '../../..');
/** The UI package. */
export const UI_DIR = join(here, '..');
/** Where screenshots go (git-ignored). */
export const SCREENSHOTS = join(UI_DIR, 'screenshots');
const CAIRN_BIN = join(ROOT, 'packages/daemon/bin/cairn.js');
/** Debian's Chromium (`apt-get install chromium`). */
export const CHROMIUM = process.env.CAIRN_CHROMIUM ?? '/usr/bin/chromium';

/** Runs a command to completion, rejecting with its output when it fails. */
export function run(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += String(d);
    });
    child.stderr.on('data', (d) => {
      out += String(d);
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}:\n${out}`)),
    );
  });
}

/** The newest modification time (ms) of the files a build reads: src/**, index.html, vite.config.ts. */
function newestSource(): number {
  let newest = 0;
  const visit = (path: string) => {
    const st = statSync(path);
    if (st.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of ['src', 'index.html', 'vite.config.ts']) visit(join(UI_DIR, p));
  return newest;
}

const BUILD_LOCK = join(UI_DIR, '.build-lock');

/**
 * Builds the UI into packages/ui/dist with Vite (the same as `npm run build`), unless dist is newer
 * than every source file. Test files run in parallel processes and each calls this: a lock
 * directory (mkdir is atomic) makes the second wait for the first build instead of emptying dist/
 * under it; a lock older than 5 minutes is taken to be left by a killed process.
 */
export async function buildUi(): Promise<void> {
  for (;;) {
    try {
      mkdirSync(BUILD_LOCK);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      try {
        if (Date.now() - statSync(BUILD_LOCK).mtimeMs > 300_000)
          rmSync(BUILD_LOCK, { force: true, recursive: true });
      } catch {
        // released meanwhile
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    const built = join(UI_DIR, 'dist/index.html');
    if (existsSync(built) && statSync(built).mtimeMs > newestSource()) return;
    // NODE_ENV=production whoever calls: under vitest it is "test", and Vite would then bundle
    // React's development build (778 kB instead of 505 kB, effects run twice under StrictMode),
    // which is not what users get and would skew the bench.
    await run(
      process.execPath,
      [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'],
      UI_DIR,
      { ...process.env, NODE_ENV: 'production' },
    );
  } finally {
    rmSync(BUILD_LOCK, { force: true, recursive: true });
  }
}

/** A running `cairn` server child process. */
export interface Server {
  url: string;
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts `cairn <command> --port 0 --home <home>` in `cwd` and resolves with its URL once it prints
 * "serving http://…" (`cairn dev`) or "listening on http://…" (`cairn start`).
 */
export function startCairn(
  command: 'dev' | 'start',
  cwd: string,
  home: string,
  extra: string[] = [],
): Promise<Server> {
  return new Promise((resolve, reject) => {
    // Own process group, so stop() ends the supervisor and the server it started together.
    const child = spawn(
      process.execPath,
      [CAIRN_BIN, command, '--port', '0', '--home', home, ...extra],
      {
        cwd,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    );
    let out = '';
    let done = false;
    const stop = async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        child.kill('SIGTERM');
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 10_000);
      await exited;
      clearTimeout(timer);
    };
    const onData = (d: Buffer) => {
      out += String(d);
      const m = /(?:serving|listening on) (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m && !done) {
        done = true;
        resolve({ url: m[1]!, child, output: () => out, stop });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      if (!done) {
        done = true;
        reject(new Error(`cairn ${command} exited with ${code} before serving:\n${out}`));
      }
    });
  });
}

/**
 * Why the browser tests are skipped on this machine, or undefined when they run. They run whenever
 * Chromium is installed, and always under CI (where .ci/run installs it, so a missing browser
 * fails loudly instead of skipping).
 */
export const chromiumSkipReason: string | undefined =
  existsSync(CHROMIUM) || process.env.CI
    ? undefined
    : `Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set CAIRN_CHROMIUM`;
if (chromiumSkipReason !== undefined) {
  console.warn(`[ui e2e] browser tests SKIPPED: ${chromiumSkipReason}.`);
}

/** Launches headless Chromium; throws a clear error when it is not installed. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set CAIRN_CHROMIUM.`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * How many times a failed browser test is run again. Chromium's child processes (the renderer,
 * the network service) crash now and then on some virtual machines: seen with Debian's Chromium
 * 156 on a VM whose clock advances in 4-20 ms steps ("Frame latency is negative", "Network service
 * crashed or was terminated, restarting service", "Page crashed"), in every version of Cairn's UI.
 * A crash is not a Cairn failure; a real failure fails every attempt.
 */
export const BROWSER_TEST_RETRY = 2;

/**
 * The suite's page, opened again with the same options before the next test once Chromium crashed
 * it (a crashed page answers nothing; the rest of the suite would fail with it).
 */
export class SuitePage {
  #page: Page | undefined;
  #crashed = false;

  constructor(
    private readonly browser: Browser,
    private readonly options: BrowserContextOptions,
    private readonly setup: (page: Page) => void = () => {},
  ) {}

  /** The page for the next test: the current one, or a new one when it crashed or closed. */
  async next(): Promise<Page> {
    if (this.#page !== undefined && !this.#crashed && !this.#page.isClosed()) return this.#page;
    if (this.#crashed) console.warn('Chromium crashed the page; the next test runs on a new page.');
    await this.#page?.close().catch(() => undefined);
    const page = await this.browser.newPage(this.options);
    this.#crashed = false;
    page.on('crash', () => {
      this.#crashed = true;
    });
    this.setup(page);
    this.#page = page;
    return page;
  }
}

/** GETs JSON from the API. */
export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** POSTs JSON to the API. */
export async function postJson<T>(url: string, body: unknown): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST ${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}
