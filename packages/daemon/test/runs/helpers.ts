import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDaemon, type Daemon, type DaemonOptions } from '../../src/daemon.js';
import type { StoredRunQueuedEvent } from '../../src/storage/index.js';
import defs from '../fixtures/runs-defs.js';
import { inProcessPool } from './in-process-pool.js';

/** A daemon on a fresh temp home with the fixture definitions and the in-process pool. */
export async function testDaemon(
  options: Partial<DaemonOptions> & { poolSize?: number } = {},
): Promise<{ daemon: Daemon; home: string; cleanup(): Promise<void> }> {
  const home = options.home ?? mkdtempSync(join(tmpdir(), 'cairn-runs-'));
  process.env.CAIRN_RUNS_FIXTURE_DIR = home;
  const { poolSize, ...rest } = options;
  const daemon = await createDaemon({
    definitions: defs,
    home,
    workerPool: inProcessPool(defs, home, poolSize ?? 4),
    ...rest,
  });
  return {
    daemon,
    home,
    async cleanup() {
      await daemon.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Lines of `calls-<name>.log` (how many times the fixture computed `name`). */
export function calls(home: string, name: string): number {
  const file = join(home, `calls-${name}.log`);
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').length : 0;
}

/** Tracks how many runs are between run_started and run_finished/run_canceled, by a key. */
export function concurrencyTracker(
  daemon: Daemon,
  keyOf: (queued: StoredRunQueuedEvent) => string | undefined,
) {
  const keys = new Map<string, string>();
  const current = new Map<string, number>();
  const max = new Map<string, number>();
  const running = new Set<string>();
  daemon.onEvent(({ event }) => {
    if (!('runId' in event) || event.runId === undefined) return;
    const runId = event.runId;
    if (event.type === 'run_queued') {
      const k = keyOf(event);
      if (k !== undefined) keys.set(runId, k);
      return;
    }
    const key = keys.get(runId);
    if (key === undefined) return;
    if (event.type === 'run_started') {
      running.add(runId);
      const n = (current.get(key) ?? 0) + 1;
      current.set(key, n);
      max.set(key, Math.max(max.get(key) ?? 0, n));
    } else if (
      (event.type === 'run_finished' || event.type === 'run_canceled') &&
      running.delete(runId)
    ) {
      current.set(key, (current.get(key) ?? 0) - 1);
    }
  });
  return { max };
}
