/**
 * Daemon workers: with a warm pool of 2 worker processes, the time from `execute()` (submit) to the
 * first line of user code, over 200 sequential single-asset runs. The asset logs
 * `performance.timeOrigin + performance.now()` when it starts; the submit time is taken the same
 * way here, so both are wall-clock instants in ms with sub-ms resolution.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPlan, type RunEvent } from '@cairn/core';
import { createWorkerPool, loadDefinitions } from '@cairn/daemon';
import type { BenchFigure } from './harness.js';

const RUNS = 200;
const WARMUP = 20;
const DEFS = join(
  import.meta.dirname,
  '..',
  'packages',
  'daemon',
  'test',
  'fixtures',
  'workers-defs.ts',
);

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** Runs the part: p50/p95 submit → first user code, and submit → run finished. */
export async function run(): Promise<BenchFigure[]> {
  const home = mkdtempSync(join(tmpdir(), 'cairn-bench-workers-'));
  const pool = createWorkerPool({ defsPath: DEFS, home, size: 2 });
  try {
    const { defs } = await loadDefinitions(DEFS);
    const plan = buildPlan(defs, { selection: 'stamp' });
    await pool.ready();
    const startLatencies: number[] = [];
    const runLatencies: number[] = [];
    for (let i = 0; i < WARMUP + RUNS; i++) {
      let started: number | undefined;
      const onEvent = (e: RunEvent) => {
        if (e.type === 'log' && e.message === 'stamp') started = e.fields?.at as number;
      };
      const submitted = performance.timeOrigin + performance.now();
      const outcome = await pool.execute({ runId: `bench-${i}`, plan }, onEvent).result;
      const finished = performance.timeOrigin + performance.now();
      if (outcome.status !== 'success' || started === undefined) {
        throw new Error(`bench run ${i} ended ${outcome.status}: ${outcome.error?.message}`);
      }
      if (i < WARMUP) continue;
      startLatencies.push(started - submitted);
      runLatencies.push(finished - submitted);
    }
    return [
      {
        name: `workers: submit → first user code, warm pool of 2, p50 of ${RUNS} runs`,
        value: percentile(startLatencies, 50),
        unit: 'ms',
        target: 10,
        note: 'Dagster: 3-20 s per run',
      },
      {
        name: `workers: submit → first user code, p95 of ${RUNS} runs`,
        value: percentile(startLatencies, 95),
        unit: 'ms',
      },
      {
        name: `workers: submit → run finished (1 asset, filesystem IO), p50 of ${RUNS} runs`,
        value: percentile(runLatencies, 50),
        unit: 'ms',
      },
    ];
  } finally {
    await pool.close();
    rmSync(home, { recursive: true, force: true });
  }
}
