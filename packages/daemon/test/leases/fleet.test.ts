import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRequest } from '../../src/runs/run-request.js';
import { BIN } from '../cli/cli-helpers.js';
import { pgAdmin, postgresSkipReason, testDatabase } from '../storage-dialects/dialects.js';
import { KEYS } from './fixtures/fleet-defs.js';
import { type Child, forkChild, until } from './fleet-helpers.js';

/**
 * Issue 7's combined test, against the real Postgres (skipped with a warning naming the URL when
 * it is unreachable): 2 daemons (`dispatch: false`: they lead, schedule and recover; they
 * execute nothing) and 3 `cairn worker` processes (the real CLI), all separate processes on one
 * database. 500 runs are submitted and every one executes exactly once (counted by the side
 * effect each execution writes, not by events); a worker is killed with SIGKILL mid-run and its
 * run is recovered (failed as interrupted, then retried to success); the leader daemon is killed
 * with SIGKILL and the schedule (every minute of a 60× clock: every real second) keeps firing
 * exactly once per tick under the new leader.
 */

const DAEMON = fileURLToPath(new URL('./fixtures/fleet-daemon.ts', import.meta.url));
const DEFS = fileURLToPath(new URL('./fixtures/fleet-defs.ts', import.meta.url));
const db = testDatabase('cairn_fleet500');
const url = db.url;
const children: ChildProcess[] = [];
let home = '';

beforeAll(async () => {
  if (postgresSkipReason !== undefined) return;
  home = mkdtempSync(join(tmpdir(), 'cairn-fleet500-'));
  await db.create();
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  if (postgresSkipReason !== undefined) return;
  rmSync(home, { recursive: true, force: true });
  await db.drop();
});

const query = (text: string): Promise<pg.QueryResult> => pgAdmin((c) => c.query(text), url);
const lines = (file: string) =>
  existsSync(join(home, file)) ? readFileSync(join(home, file), 'utf8').trim().split('\n') : [];

function startDaemon(clockBase: number, realBase: number): Child & { leader(): boolean } {
  const child = forkChild(DAEMON, [home, DEFS, url, String(clockBase), String(realBase)], children);
  return {
    ...child,
    leader: () => [...child.output().matchAll(/leader (true|false)/g)].at(-1)?.[1] === 'true',
  };
}

/** `cairn worker` (the real CLI) with 2 pool processes. */
function startWorker(): Child {
  const child = spawn(
    process.execPath,
    [BIN, 'worker', '--database-url', url, '--defs', DEFS, '--home', home, '--workers', '2'],
    { env: { ...process.env, CAIRN_FLEET500_DIR: home }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    out += s;
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    err += s;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => out, errors: () => err };
}

/** Submits through a daemon process (IPC to its `submit`); resolves with the run ids. */
function submitVia(daemon: Child, requests: RunRequest[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    daemon.child.once('message', (m: { ids?: string[]; error?: string }) =>
      m.ids !== undefined ? resolve(m.ids) : reject(new Error(m.error)),
    );
    daemon.child.send({ submit: requests });
  });
}

async function scheduleTicks(): Promise<{ tick_key: string; run_ids: string }[]> {
  const { rows } = await query(
    `select tick_key, run_ids from instigator_ticks where kind = 'schedule' and name = 'every_minute' order by tick_key`,
  );
  return rows as { tick_key: string; run_ids: string }[];
}

async function statusOf(runId: string): Promise<string | undefined> {
  const { rows } = await query(`select status from runs where run_id = '${runId}'`);
  return rows[0]?.status;
}

describe.skipIf(postgresSkipReason !== undefined)(
  'the fleet: 2 daemons, 3 workers, 500 runs [postgres]',
  () => {
    it('executes every run once, recovers a killed worker, and fails the leader over', async () => {
      const began = Date.now();
      const realBase = Date.now();
      const clockBase = Date.parse('2030-01-01T00:00:00Z');
      const a = startDaemon(clockBase, realBase);
      await until('daemon A to lead', () => a.leader());
      const b = startDaemon(clockBase, realBase);
      await until('daemon B to start as a standby', () => b.output().includes('leader false'));
      const workers = [startWorker(), startWorker(), startWorker()];
      await until('3 workers ready', () =>
        workers.every((w) => w.output().includes('cairn worker ready')),
      );

      const ready = Date.now();
      // Retried once: a run the SIGKILL interrupts is failed and executes again as a new run.
      const ids = await submitVia(
        b,
        KEYS.map((key) => ({ selection: 'cheap', partitionKey: key, maxRetries: 1 })),
      );
      expect(ids).toHaveLength(500);
      const submitted = Date.now();
      // The run the SIGKILL will interrupt while the 500 execute: next in line (priority), and
      // retried once.
      const [sleepy] = await submitVia(b, [{ selection: 'sleepy', maxRetries: 1, priority: 10 }]);

      await until('sleepy to start', () => lines('sleepy.log').some((l) => l.startsWith('start')));
      const { rows: holder } = await query(
        `select holder from run_claims where run_id = '${sleepy}'`,
      );
      const pid = Number(String(holder[0].holder).split(':').at(-1));
      const victim = workers.find((w) => w.child.pid === pid);
      expect(victim, `sleepy runs in worker ${pid}`).toBeDefined();
      victim!.child.kill('SIGKILL');
      await victim!.exited;

      await until('3 schedule ticks under A', async () => (await scheduleTicks()).length >= 3);
      expect(b.leader()).toBe(false);
      a.child.kill('SIGKILL');
      await a.exited;
      const ticksAtKill = (await scheduleTicks()).length;
      await until('daemon B to take over', () => b.leader());
      await until(
        '3 more ticks under B',
        async () => (await scheduleTicks()).length >= ticksAtKill + 3,
      );

      await until(
        'all 500 partitions to succeed',
        async () => {
          const { rows } = await query(
            `select count(distinct partition_keys)::int as n from runs where status = 'success' and partition_keys is not null`,
          );
          return rows[0].n === 500;
        },
        90_000,
      );
      await until(
        'the killed run to fail',
        async () => (await statusOf(sleepy!)) === 'failure',
        60_000,
      );
      const { rows: finished } = await query(
        `select payload from event_log where run_id = '${sleepy}' and type = 'run_finished'`,
      );
      expect(JSON.parse(finished[0].payload).error.code).toBe('CAIRN_RUN_INTERRUPTED');
      await until('its retry to succeed', () => lines('sleepy.log').includes('end'), 60_000);
      const survivors = workers.filter((w) => w !== victim);
      for (const w of survivors) w.child.kill('SIGTERM');
      for (const w of survivors) expect(await w.exited, w.errors()).toBe(0);
      b.child.kill('SIGTERM');
      expect(await b.exited, b.errors()).toBe(0);

      // Exactly once: no run executed twice; every run that succeeded executed once, or is the
      // retry of an interrupted run whose step had already materialized (a retry reuses what its
      // parent materialized, as re-execution from failure does, and executes nothing); only the
      // runs the SIGKILL interrupted (at most the killed worker's 2 slots) failed.
      const executions = new Map<string, number>();
      const partitions = new Set<string>();
      for (const line of lines('cheap.log')) {
        const [key, runId] = line.split(' ') as [string, string];
        partitions.add(key);
        executions.set(runId, (executions.get(runId) ?? 0) + 1);
      }
      expect(partitions.size).toBe(500);
      expect([...executions.values()].every((n) => n === 1)).toBe(true);
      const { rows: cheapRuns } = await query(
        `select run_id, status from runs where partition_keys is not null`,
      );
      const succeeded = cheapRuns.filter((r) => r.status === 'success');
      expect(succeeded).toHaveLength(500);
      const { rows: queuedEvents } = await query(
        `select run_id, payload from event_log where type = 'run_queued'`,
      );
      const queuedBy = new Map<string, { parentRunId?: string; reuseStepKeys?: string[] }>(
        queuedEvents.map((r) => [r.run_id, JSON.parse(r.payload)]),
      );
      for (const r of succeeded) {
        if (executions.get(r.run_id) === 1) continue;
        // Executed nothing: it must be a retry that reused its parent's materialized step.
        const queued = queuedBy.get(r.run_id);
        expect(queued?.parentRunId, `${r.run_id} executed nothing and is no retry`).toBeDefined();
        expect(queued?.reuseStepKeys).toEqual(['cheap']);
        expect(executions.get(queued!.parentRunId!), r.run_id).toBe(1);
        const { rows } = await query(
          `select count(*)::int as n from event_log where run_id = '${queued!.parentRunId}' and type = 'materialization'`,
        );
        expect(rows[0].n).toBe(1);
      }
      const failed = cheapRuns.filter((r) => r.status !== 'success');
      expect(failed.length).toBeLessThanOrEqual(1);
      expect(cheapRuns).toHaveLength(500 + failed.length);
      for (const r of failed) expect(r.status).toBe('failure');
      const { rows: claims } = await query(
        'select count(*)::int as n, count(distinct run_id)::int as d from run_claims',
      );
      expect(claims[0].n).toBe(claims[0].d);
      // sleepy: started by the killed worker and by its retry, finished once.
      const sleepyLog = lines('sleepy.log');
      expect(sleepyLog.filter((l) => l.startsWith('start'))).toHaveLength(2);
      expect(sleepyLog.filter((l) => l === 'end')).toHaveLength(1);

      // The schedule: consecutive minutes, each tick recorded once across the failover, each
      // requesting at most one run, and no ping run executed twice.
      const ticks = await scheduleTicks();
      const instants = ticks.map((t) => Date.parse(t.tick_key));
      for (let i = 1; i < instants.length; i++)
        expect(instants[i]! - instants[i - 1]!).toBe(60_000);
      const pingRuns = ticks.flatMap((t) => JSON.parse(t.run_ids) as string[]);
      expect(new Set(pingRuns).size).toBe(pingRuns.length);
      expect(pingRuns.length).toBeLessThanOrEqual(ticks.length);
      // The one tick A may have claimed in the instant it was killed, before submitting its run,
      // is recorded without one (the known limit in docs/deployment.md).
      expect(ticks.length - pingRuns.length).toBeLessThanOrEqual(1);
      const pings = lines('ping.log');
      expect(new Set(pings).size).toBe(pings.length);
      for (const runId of pings) expect(pingRuns).toContain(runId);
      const { rows: last } = await query(
        `select max(e.timestamp) as t from event_log e join runs r on r.run_id = e.run_id where e.type = 'run_finished' and r.partition_keys is not null and r.status = 'success'`,
      );
      const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
      console.info(
        `[fleet] 2 daemons + 3 workers ready in ${s(ready - began)}; 500 runs submitted in ${s(submitted - ready)}; the last of them finished ${s(Date.parse(last[0].t) - submitted)} after that (with a worker killed meanwhile); whole test ${s(Date.now() - began)}`,
      );
    }, 180_000);
  },
);
