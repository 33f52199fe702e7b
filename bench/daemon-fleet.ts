/**
 * Run throughput of `cairn worker` processes on Postgres: 100 one-step runs submitted at once
 * (after one warm-up run per pool slot), executed by 1, 2 and 4 worker processes (2 pool
 * processes each) under a daemon that executes nothing (`dispatch: false`); runs/s from submit to
 * the last success, and the scaling ratio 4 workers / 1 worker. Skipped when Postgres is
 * unreachable.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createDaemon } from '../packages/daemon/src/daemon.js';
import type { BenchFigure } from './harness.js';

const URL_ = process.env.CAIRN_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const FIXTURES = new URL('../packages/daemon/test/workers/fixtures/', import.meta.url);
const SCRIPT = fileURLToPath(new URL('fleet-worker.ts', FIXTURES));
const DEFS = fileURLToPath(new URL('fleet-defs.ts', FIXTURES));
const N_RUNS = 100;

async function admin(text: string, target = URL_): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: target });
  await c.connect();
  try {
    return await c.query(text);
  } finally {
    await c.end();
  }
}

async function throughput(workers: number): Promise<number> {
  const database = `cairn_bench_fleet_${process.pid}_${workers}`;
  await admin(
    `create database ${database} template template0 encoding 'UTF8' lc_collate 'C' lc_ctype 'C'`,
  );
  const u = new URL(URL_);
  u.pathname = `/${database}`;
  const url = u.toString();
  const home = mkdtempSync(join(tmpdir(), 'cairn-bench-fleet-'));
  process.env.CAIRN_FLEET_DIR = home;
  const children: ChildProcess[] = [];
  const daemon = await createDaemon({
    defs: DEFS,
    home,
    databaseUrl: url,
    workers: 1,
    dispatch: false,
    schedulerIntervalSeconds: 0,
    automation: { intervalSeconds: 0 },
  });
  try {
    await Promise.all(
      Array.from({ length: workers }, async () => {
        const child = fork(SCRIPT, [home, DEFS, url], {
          execArgv: ['--conditions=@cairn/source', '--import', 'tsx'],
          stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
        });
        children.push(child);
        await new Promise<void>((resolve) => {
          child.stdout!.on('data', (b: Buffer) => {
            if (b.toString().includes('ready')) resolve();
          });
        });
      }),
    );
    const succeeded = async () =>
      (await admin(`select count(*)::int as n from runs where status = 'success'`, url)).rows[0]
        .n as number;
    // Warm-up: one run per pool slot, so every worker's pool processes have loaded the
    // definitions (seconds of tsx compiling on a loaded machine) before the clock starts.
    const warmups = workers * 2;
    for (let i = 0; i < warmups; i++) {
      await daemon.submit({
        selection: 'work',
        partitionKey: `p${100 + i}`,
        tags: { fleet: 'yes' },
      });
    }
    while ((await succeeded()) < warmups) await new Promise((r) => setTimeout(r, 20));
    const started = performance.now();
    await Promise.all(
      Array.from({ length: N_RUNS }, (_, i) =>
        daemon.submit({
          selection: 'work',
          partitionKey: `p${String(i).padStart(3, '0')}`,
          tags: { fleet: 'yes' },
        }),
      ),
    );
    while ((await succeeded()) < N_RUNS + warmups) await new Promise((r) => setTimeout(r, 20));
    return N_RUNS / ((performance.now() - started) / 1000);
  } finally {
    for (const c of children) c.kill('SIGKILL');
    await daemon.stop();
    rmSync(home, { recursive: true, force: true });
    await admin(`drop database if exists ${database} with (force)`);
  }
}

/** Runs the fleet benchmark. */
export async function run(): Promise<BenchFigure[]> {
  try {
    await admin('select 1');
  } catch (err) {
    console.warn(`daemon-fleet: skipped, cannot use ${URL_}: ${String(err)}`);
    return [];
  }
  const figures: BenchFigure[] = [];
  const rates = new Map<number, number>();
  for (const n of [1, 2, 4]) {
    const rate = await throughput(n);
    rates.set(n, rate);
    figures.push({
      name: `Postgres: ${N_RUNS} runs through ${n} cairn worker process(es), 2 pool processes each`,
      value: rate,
      unit: 'runs/s',
    });
  }
  figures.push({
    name: 'Postgres: worker scaling 4 workers / 1 worker',
    value: rates.get(4)! / rates.get(1)!,
    unit: 'x',
  });
  return figures;
}
