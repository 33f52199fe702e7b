import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Definitions, type ManualClock, manualClock } from '@cairn/core';
import { createDaemon, type Daemon, type DaemonOptions } from '../../src/daemon.js';
import { inProcessPool } from '../runs/in-process-pool.js';

/** A temp home removed by the returned cleanup. */
export function tempHome(prefix = 'cairn-auto-'): { home: string; remove(): void } {
  const home = mkdtempSync(join(tmpdir(), prefix));
  return { home, remove: () => rmSync(home, { recursive: true, force: true }) };
}

/**
 * A daemon over `defs` on `home` with the in-process pool and a manual clock; its loops are off
 * (interval 0), so tests drive ticks directly.
 */
export async function automationDaemon(
  defs: Definitions,
  home: string,
  options: Partial<DaemonOptions> & { clock?: ManualClock } = {},
): Promise<{ daemon: Daemon; clock: ManualClock }> {
  const clock = options.clock ?? manualClock(new Date('2024-03-03T00:00:00Z'));
  const daemon = await createDaemon({
    definitions: defs,
    home,
    workerPool: inProcessPool(defs, home, 2),
    schedulerIntervalSeconds: 0,
    ...options,
    automation: { intervalSeconds: 0, ...options.automation },
    clock,
  });
  return { daemon, clock };
}

/** Submits and waits for a run; throws unless it succeeded. */
export async function run(
  daemon: Daemon,
  request: Parameters<Daemon['submit']>[0],
): Promise<string> {
  const { runId } = await daemon.submit(request);
  const record = await daemon.waitForRun(runId);
  if (record.status !== 'success') throw new Error(`run ${runId} ended ${record.status}`);
  return runId;
}
