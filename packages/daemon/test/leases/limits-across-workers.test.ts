import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDaemon, type Daemon } from '../../src/daemon.js';
import { pgAdmin, postgresSkipReason, testDatabase } from '../storage-dialects/dialects.js';
import {
  type Child,
  forkChild,
  maxOverlap,
  readIntervals,
  startCounts,
  until,
} from './fleet-helpers.js';

/**
 * Concurrency limits across `cairn worker` processes on Postgres: the leader daemon (which
 * executes nothing, `dispatch: false`) publishes a tag limit of 2, a pool of 1 slot and a fleet
 * run limit of 4; 3 workers of 2 slots each (6 runs at once without limits) execute 30 runs that
 * record their start and end times. At no moment did more runs overlap than each limit allows,
 * and every run executed exactly once.
 */

const WORKER = fileURLToPath(new URL('../workers/fixtures/fleet-worker.ts', import.meta.url));
const DEFS = fileURLToPath(new URL('./fixtures/limit-defs.ts', import.meta.url));
const db = testDatabase('cairn_limits');
const children: ChildProcess[] = [];
let home = '';
let daemon: Daemon | undefined;

beforeAll(async () => {
  if (postgresSkipReason !== undefined) return;
  home = mkdtempSync(join(tmpdir(), 'cairn-limits-pg-'));
  await db.create();
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await daemon?.stop();
  if (postgresSkipReason !== undefined) return;
  rmSync(home, { recursive: true, force: true });
  await db.drop();
});

describe.skipIf(postgresSkipReason !== undefined)(
  'limits across worker processes [postgres]',
  () => {
    it('a tag limit, a pool and the fleet run limit hold across 3 workers', async () => {
      process.env.CAIRN_LIMITS_DIR = home;
      process.env.CAIRN_LIMITS_SLEEP_MS = '400';
      daemon = await createDaemon({
        defs: DEFS,
        home,
        databaseUrl: db.url,
        dispatch: false,
        tagLimits: [{ key: 'team', limit: 2 }],
        pools: { warehouse: 1 },
        globalMaxConcurrentRuns: 4,
        schedulerIntervalSeconds: 0,
        automation: { intervalSeconds: 0 },
        leaderLease: { ttlSeconds: 5, renewSeconds: 0.25 },
      });
      expect(daemon.isLeader()).toBe(true);
      const workers: Child[] = [0, 1, 2].map(() =>
        forkChild(WORKER, [home, DEFS, db.url, 'CAIRN_LIMITS_DIR'], children),
      );
      await until('3 workers ready', () => workers.every((w) => w.output().includes('ready')));

      const ids: string[] = [];
      const submit = async (selection: string, key: string, tags: Record<string, string> = {}) =>
        ids.push((await daemon!.submit({ selection, partitionKey: key, tags })).runId);
      for (let i = 0; i < 14; i++)
        await submit('timed', `k${String(i).padStart(2, '0')}`, { team: 'a' });
      for (let i = 0; i < 6; i++) await submit('pooled', `k0${i}`);
      for (let i = 14; i < 24; i++) await submit('timed', `k${i}`);
      for (const id of ids) expect((await daemon.waitForRun(id)).status).toBe('success');

      const intervals = readIntervals(home);
      expect(intervals).toHaveLength(30);
      expect([...startCounts(home).values()].every((n) => n === 1)).toBe(true);
      const team = intervals.filter((i) => /^timed\/k(0\d|1[0-3])$/.test(i.what));
      const pooled = intervals.filter((i) => i.what.startsWith('pooled/'));
      expect(team).toHaveLength(14);
      expect(maxOverlap(team)).toBeLessThanOrEqual(2);
      expect(maxOverlap(pooled)).toBeLessThanOrEqual(1);
      expect(maxOverlap(intervals)).toBeLessThanOrEqual(4);
      // Not vacuous: the fleet did run several runs at once, and limited runs on several workers.
      expect(maxOverlap(intervals)).toBeGreaterThanOrEqual(3);
      expect(new Set(team.map((i) => i.pid)).size).toBeGreaterThanOrEqual(2);
      const { rows } = await pgAdmin(
        (c) =>
          c.query('select count(*)::int as n, count(distinct run_id)::int as d from run_claims'),
        db.url,
      );
      expect(rows[0]).toEqual({ n: 30, d: 30 });

      for (const w of workers) w.child.kill('SIGTERM');
      for (const w of workers) expect(await w.exited, w.errors()).toBe(0);
    }, 120_000);
  },
);
