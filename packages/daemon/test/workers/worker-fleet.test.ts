import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDaemon, type Daemon } from '../../src/daemon.js';
import { forkChild } from '../leases/fleet-helpers.js';
import { pgAdmin, postgresSkipReason, testDatabase } from '../storage-dialects/dialects.js';
import { KEYS } from './fixtures/fleet-defs.js';

/**
 * `cairn worker` processes on one Postgres database: 3 workers (separate processes) execute 120
 * submitted runs exactly once each; a worker killed with SIGKILL mid-run has its run recovered by
 * the leader daemon once its heartbeat expired (failed, then retried per maxRetries elsewhere).
 * The daemon here only submits and leads (`dispatch: false`): the workers execute every run.
 */

const SCRIPT = fileURLToPath(new URL('./fixtures/fleet-worker.ts', import.meta.url));
const DEFS = fileURLToPath(new URL('./fixtures/fleet-defs.ts', import.meta.url));
const db = testDatabase('cairn_fleet');
const url = db.url;
const admin = pgAdmin;

const children: ChildProcess[] = [];
let home = '';
let daemon: Daemon | undefined;

beforeAll(async () => {
  if (postgresSkipReason !== undefined) return;
  home = mkdtempSync(join(tmpdir(), 'cairn-fleet-'));
  await db.create();
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await daemon?.stop();
  if (postgresSkipReason !== undefined) return;
  rmSync(home, { recursive: true, force: true });
  await db.drop();
});

/** Polls `check` every 50 ms until true; fails after `timeoutMs` with `what`. */
async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function startWorker() {
  const c = forkChild(SCRIPT, [home, DEFS, url], children);
  return { ...c, ready: () => c.output().includes('ready') };
}

async function query(text: string): Promise<pg.QueryResult> {
  return admin((c) => c.query(text), url);
}

const lines = (file: string) =>
  existsSync(join(home, file)) ? readFileSync(join(home, file), 'utf8').trim().split('\n') : [];

describe.skipIf(postgresSkipReason !== undefined)('cairn worker fleet [postgres]', () => {
  it('3 workers run 120 runs exactly once; a SIGKILLed worker has its run recovered', async () => {
    process.env.CAIRN_FLEET_DIR = home;
    daemon = await createDaemon({
      defs: DEFS,
      home,
      databaseUrl: url,
      workers: 1,
      dispatch: false,
      schedulerIntervalSeconds: 0,
      automation: { intervalSeconds: 0 },
      leaderLease: { ttlSeconds: 5, renewSeconds: 0.25 },
      runLease: { heartbeatSeconds: 0.25, expireSeconds: 4 },
    });
    expect(daemon.isLeader()).toBe(true);
    const workers = [startWorker(), startWorker(), startWorker()];
    await until('3 workers ready', () => workers.every((w) => w.ready()));

    const ids: string[] = [];
    for (const key of KEYS) {
      ids.push(
        (await daemon.submit({ selection: 'work', partitionKey: key, tags: { fleet: 'yes' } }))
          .runId,
      );
    }
    await until('120 runs to succeed', async () => {
      const { rows } = await query(`select count(*)::int as n from runs where status = 'success'`);
      return rows[0].n === KEYS.length;
    });
    // Exactly once: every partition computed once, every run claimed once, by worker processes.
    const done = lines('work.log');
    expect(done).toHaveLength(KEYS.length);
    expect(new Set(done).size).toBe(KEYS.length);
    const { rows: claims } = await query('select run_id, holder from run_claims');
    expect(claims).toHaveLength(KEYS.length);
    const workerPids = new Set(workers.map((w) => `:${w.child.pid}`));
    for (const c of claims)
      expect(workerPids.has(`:${String(c.holder).split(':').at(-1)}`)).toBe(true);

    // SIGKILL the worker running `sleepy` mid-run: the leader fails the run, the retry succeeds.
    const { runId } = await daemon.submit({
      selection: 'sleepy',
      tags: { fleet: 'yes' },
      maxRetries: 1,
    });
    await until('sleepy to start', () => lines('sleepy.log').includes('start'));
    const { rows: holder } = await query(`select holder from run_claims where run_id = '${runId}'`);
    const pid = Number(String(holder[0].holder).split(':').at(-1));
    const victim = workers.find((w) => w.child.pid === pid)!;
    victim.child.kill('SIGKILL');
    await victim.exited;
    await until('the killed run to fail', async () => {
      const { rows } = await query(`select status from runs where run_id = '${runId}'`);
      return rows[0].status === 'failure';
    });
    await until('its retry to succeed', async () => {
      const { rows } = await query(
        `select count(*)::int as n from runs where status = 'success' and run_id <> all(array[${ids.map((i) => `'${i}'`).join(',')}]::text[]) and run_id <> '${runId}'`,
      );
      return rows[0].n === 1;
    });
    const events = await daemon.storage.getEventsForRun(runId);
    const finished = events.records.find((r) => r.event.type === 'run_finished')?.event;
    expect(finished).toMatchObject({ status: 'failure', error: { code: 'CAIRN_RUN_INTERRUPTED' } });
    expect(lines('sleepy.log').filter((l) => l === 'end')).toHaveLength(1);

    for (const w of workers) if (w !== victim) w.child.kill('SIGTERM');
    for (const w of workers) if (w !== victim) expect(await w.exited, w.errors()).toBe(0);
  }, 120_000);
});
