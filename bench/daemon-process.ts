/**
 * A real daemon process for the benchmarks: `cairn start` (daemon + REST API) on a stored world,
 * its resident size read from /proc/<pid>/status (VmHWM: the peak over the process' whole life,
 * not samples) after start-up, a first automation tick, a change and a second tick.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const MB = 1024 * 1024;

/** The benchmark's world as a definitions module: `layers` × `width` eager daily-partitioned assets. */
export function layeredDefinitionsSource(layers: number, width: number, start: string): string {
  return `import { asset, dailyPartitions, definitions, eager } from '@cairn/core';
const daily = dailyPartitions({ start: '${start}' });
const assets = [];
let previous: ReturnType<typeof asset>[] = [];
for (let l = 0; l < ${layers}; l++) {
  const layer: ReturnType<typeof asset>[] = [];
  for (let i = 0; i < ${width}; i++) {
    const deps = l === 0 ? [] : [previous[i]!, previous[(i + 1) % ${width}]!];
    layer.push(asset({ key: \`l\${l}/a\${i}\`, partitions: daily, codeVersion: '1', deps, automation: eager() }, () => 0));
  }
  assets.push(...layer);
  previous = layer;
}
export default definitions({ assets });
`;
}

/**
 * A project folder for `cairn`: package.json ("type": "module"), the definitions in defs.ts and
 * node_modules linked to `nodeModules` (the checkout's, or a published install's).
 */
export function writeProject(dir: string, defsSource: string, nodeModules: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(dir, 'defs.ts'), defsSource);
  symlinkSync(nodeModules, join(dir, 'node_modules'));
}

export interface DaemonProcessFigures {
  /** Peak resident size over the process' life (VmHWM), MB. */
  peakMb: number;
  /** Resident size at the end, MB. */
  rssMb: number;
  /** From spawn to "listening", ms. */
  startMs: number;
}

function statusMb(pid: number, field: string): number {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1]);
  if (!Number.isFinite(kb)) throw new Error(`/proc/${pid}/status has no ${field}`);
  return (kb * 1024) / MB;
}

/** Resolves when `check()` is true, polling every 250 ms; rejects after `timeoutMs`. */
async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`daemon process: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Runs `cairn start --no-dispatch` (`cli`: the bin to run) on the project and the home's stored
 * world; waits for the API, one automation tick (the default 30 s interval), `change()` (which
 * appends events from this process, as another writer would), and one more tick; then reads the
 * process' peak and current resident size and stops it.
 */
export async function measureDaemonProcess(options: {
  cli: string;
  project: string;
  home: string;
  change: () => Promise<void>;
  env?: Record<string, string>;
}): Promise<DaemonProcessFigures> {
  const db = join(options.home, 'cairn.db');
  const ticks = (): number => {
    const sqlite = new Database(db, { readonly: true });
    try {
      return (sqlite.prepare('select count(*) as n from automation_ticks').get() as { n: number })
        .n;
    } finally {
      sqlite.close();
    }
  };
  const before = ticks();
  const t0 = performance.now();
  const proc: ChildProcess = spawn(
    process.execPath,
    [
      options.cli,
      'start',
      '--defs',
      'defs.ts',
      '--home',
      options.home,
      '--port',
      '0',
      '--no-dispatch',
    ],
    {
      cwd: options.project,
      env: { ...process.env, NODE_OPTIONS: '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  proc.stdout!.on('data', (d) => {
    output += String(d);
  });
  proc.stderr!.on('data', (d) => {
    output += String(d);
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  try {
    const alive = (): boolean => {
      if (proc.exitCode !== null) throw new Error(`cairn start exited early:\n${output}`);
      return true;
    };
    await until('the API', () => alive() && output.includes('listening on'), 600_000);
    const startMs = performance.now() - t0;
    await until('the first automation tick', () => alive() && ticks() > before, 120_000);
    await options.change();
    await until('the second automation tick', () => alive() && ticks() > before + 1, 120_000);
    const figures = {
      peakMb: statusMb(proc.pid!, 'VmHWM'),
      rssMb: statusMb(proc.pid!, 'VmRSS'),
      startMs,
    };
    return figures;
  } finally {
    proc.kill('SIGTERM');
    await exited;
  }
}
