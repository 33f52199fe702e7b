import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createDaemon, type Daemon } from '../../src/daemon.js';
import { cleanup, spawnServer } from '../cli/cli-helpers.js';
import defs from '../leases/fixtures/limit-defs.js';
import { startCounts, until } from '../leases/fleet-helpers.js';
import { inProcessPool } from './in-process-pool.js';

/**
 * `dispatch: false` (`--no-dispatch`): a daemon that queues runs, leads and serves the API but
 * never executes a run; another process on the same database executes them, and `waitForRun` in
 * the first daemon resolves when the run ends there (it polls storage for runs it does not run).
 */

const DEFS = fileURLToPath(new URL('../leases/fixtures/limit-defs.ts', import.meta.url));
let home = '';
const daemons: Daemon[] = [];

afterEach(async () => {
  for (const d of daemons.splice(0).reverse()) await d.stop();
  await cleanup();
  rmSync(home, { recursive: true, force: true });
});

/** A daemon on `home` that executes runs in this process. */
async function executor(): Promise<Daemon> {
  const d = await createDaemon({
    definitions: defs,
    home,
    workerPool: inProcessPool(defs, home, 2),
    schedulerIntervalSeconds: 0,
    automation: { intervalSeconds: 0 },
  });
  daemons.push(d);
  return d;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('dispatch: false', () => {
  it('queues and leads without executing; waitForRun resolves when another process ran it', async () => {
    home = mkdtempSync(join(tmpdir(), 'cairn-no-dispatch-'));
    process.env.CAIRN_LIMITS_DIR = home;
    process.env.CAIRN_LIMITS_SLEEP_MS = '10';
    // The module path and no pool: a dispatching daemon would fork worker processes here.
    const lead = await createDaemon({
      defs: DEFS,
      home,
      dispatch: false,
      schedulerIntervalSeconds: 0,
      automation: { intervalSeconds: 0 },
    });
    daemons.push(lead);
    expect(lead.isLeader()).toBe(true);
    const { runId } = await lead.submit({ selection: 'timed', partitionKey: 'k00' });
    let ended = false;
    const waited = lead.waitForRun(runId).then((run) => {
      ended = true;
      return run;
    });
    await sleep(1500);
    expect((await lead.storage.getRun(runId))?.status).toBe('queued');
    expect(ended).toBe(false);

    await executor();
    expect((await waited).status).toBe('success');
    expect(startCounts(home).get('timed/k00')).toBe(1);
  }, 60_000);

  it('cairn start --no-dispatch serves the API and leaves runs to other processes', async () => {
    home = mkdtempSync(join(tmpdir(), 'cairn-no-dispatch-cli-'));
    process.env.CAIRN_LIMITS_DIR = home;
    process.env.CAIRN_LIMITS_SLEEP_MS = '10';
    const server = await spawnServer(
      ['start', '--no-dispatch', '--defs', DEFS, '--home', home, '--port', '0'],
      { env: { CAIRN_LIMITS_DIR: home } },
    );
    const res = await fetch(`${server.url}/api/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ selection: 'timed', partitions: { keys: ['k01'] } }),
    });
    expect(res.status).toBeLessThan(300);
    const { runId } = (await res.json()) as { runId: string };
    const status = async () =>
      (
        (await (await fetch(`${server.url}/api/runs/${runId}`)).json()) as {
          run: { status: string };
        }
      ).run.status;
    await sleep(1500);
    expect(await status()).toBe('queued');

    await executor();
    await until(
      'the run to succeed, as the CLI daemon reports it',
      async () => (await status()) === 'success',
    );
    expect(startCounts(home).get('timed/k01')).toBe(1);
    expect(await server.stop()).toBe(0);
  }, 60_000);
});
