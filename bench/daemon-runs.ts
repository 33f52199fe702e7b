/**
 * Daemon run benchmarks, through `createDaemon` with the real worker pool (child processes) and a
 * SQLite file in a temp home:
 * 1. one run of 1,000 trivial assets (10 layers of 100, each reading one asset of the layer
 *    before): wall time from submit to the run's end, divided by 1,000 = per-asset overhead of
 *    planning, dispatch, IPC, the filesystem IO manager and the event log;
 * 2. 2,000 queued runs of one trivial asset dispatched with maxConcurrentRuns 8 over 8 workers
 *    (more workers than the machine's 2 cores, to match the limit; workers mostly wait on IPC and
 *    SQLite): runs per second from start to the last run's end.
 * The definitions module is generated in the temp home and imports core by absolute path, which
 * is the same file the workers resolve `@cairn/core` to, so there is one copy of core.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createDaemon } from '../packages/daemon/src/daemon.js';
import type { BenchFigure } from './harness.js';

const CORE = pathToFileURL(
  join(dirname(fileURLToPath(import.meta.url)), '../packages/core/src/index.ts'),
).href;

function writeDefs(home: string): string {
  const lines = [`import { asset, definitions } from ${JSON.stringify(CORE)};`, 'const all = [];'];
  lines.push('const one = asset({ key: "one" }, () => 1);', 'all.push(one);');
  lines.push('let prev = [];');
  lines.push(`for (let layer = 0; layer < 10; layer++) {
  const next = [];
  for (let i = 0; i < 100; i++) {
    const up = prev[i];
    const key = 'l' + layer + '/a' + i;
    next.push(up === undefined
      ? asset({ key }, () => i)
      : asset({ key, deps: { up } }, ({ up }) => up + 1));
  }
  all.push(...next);
  prev = next;
}`);
  lines.push('export default definitions({ assets: all });');
  const path = join(home, 'bench-defs.ts');
  writeFileSync(path, lines.join('\n'));
  return path;
}

async function thousandAssets(home: string, defs: string): Promise<BenchFigure> {
  const daemon = await createDaemon({ defs, home: join(home, 'a'), workers: 1 });
  try {
    // Warm-up: the worker loads the definitions and the JIT sees the path once.
    await daemon.waitForRun((await daemon.submit({ selection: 'one' })).runId);
    const t0 = performance.now();
    const { runId } = await daemon.submit({ selection: 'l*/*' });
    const run = await daemon.waitForRun(runId);
    const ms = performance.now() - t0;
    if (run.status !== 'success' || run.counts?.materializations !== 1000) {
      throw new Error(`bench run ended ${run.status} with ${JSON.stringify(run.counts)}`);
    }
    return {
      name: 'run of 1,000 trivial assets through daemon + worker: per-asset overhead',
      value: ms / 1000,
      unit: 'ms',
      target: 2,
      note: 'Dagster: tens of ms to seconds per step',
    };
  } finally {
    await daemon.stop();
  }
}

async function queuedRuns(home: string, defs: string): Promise<BenchFigure> {
  const n = 2000;
  const daemon = await createDaemon({
    defs,
    home: join(home, 'b'),
    workers: 8,
    maxConcurrentRuns: 8,
    autoStart: false,
  });
  try {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push((await daemon.submit({ selection: 'one' })).runId);
    const t0 = performance.now();
    await daemon.start();
    for (const id of ids) await daemon.waitForRun(id);
    const s = (performance.now() - t0) / 1000;
    return {
      name: '2,000 queued runs of one asset, maxConcurrentRuns 8, 8 workers',
      value: n / s,
      unit: 'runs/s',
      note: 'no target; 2 shared cores',
    };
  } finally {
    await daemon.stop();
  }
}

/** The daemon-runs bench part. */
export async function run(): Promise<BenchFigure[]> {
  const home = mkdtempSync(join(tmpdir(), 'cairn-bench-runs-'));
  try {
    const defs = writeDefs(home);
    return [await thousandAssets(home, defs), await queuedRuns(home, defs)];
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
