import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPlan, type Definitions, type RunEvent } from '@cairn/core';
import { afterEach } from 'vitest';
import {
  createWorkerPool,
  type ProcessWorkerPool,
  type WorkerPoolOptions,
} from '../../src/workers/create-worker-pool.js';
import type { RunExecutionHandle, RunOutcome } from '../../src/workers/worker-pool-types.js';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
export const WORKERS_DEFS = join(FIXTURES, 'workers-defs.ts');

const cleanups: (() => Promise<void> | void)[] = [];

// Every pool and temp dir a test made is closed and removed, whether the test passed or not.
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A temp Cairn home, removed after the test. */
export function tempHome(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-workers-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A pool over the fixture definitions (quiet worker output), closed after the test. */
export function testPool(options: Partial<WorkerPoolOptions> = {}): ProcessWorkerPool {
  const pool = createWorkerPool({
    defsPath: WORKERS_DEFS,
    home: options.home ?? tempHome(),
    size: 1,
    killGraceMs: 300,
    onWorkerOutput: () => {},
    ...options,
  });
  cleanups.push(() => pool.close());
  return pool;
}

let runs = 0;

/** Executes `selection` on the pool and collects its events. */
export function start(
  pool: ProcessWorkerPool,
  defs: Definitions,
  selection: string,
): { handle: RunExecutionHandle; events: RunEvent[]; runId: string } {
  const runId = `run-${process.pid}-${++runs}`;
  const events: RunEvent[] = [];
  const handle = pool.execute({ runId, plan: buildPlan(defs, { selection }) }, (e) =>
    events.push(e),
  );
  return { handle, events, runId };
}

/** Executes `selection` and waits for the outcome. */
export async function run(
  pool: ProcessWorkerPool,
  defs: Definitions,
  selection: string,
): Promise<{ outcome: RunOutcome; events: RunEvent[] }> {
  const { handle, events } = start(pool, defs, selection);
  return { outcome: await handle.result, events };
}

/** The events of one type. */
export function ofType<T extends RunEvent['type']>(
  events: RunEvent[],
  type: T,
): Extract<RunEvent, { type: T }>[] {
  return events.filter((e): e is Extract<RunEvent, { type: T }> => e.type === type);
}

/** True when `pid` is a live process. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
