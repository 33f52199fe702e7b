import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgAdmin, postgresSkipReason, testDatabase } from '../storage-dialects/dialects.js';
import { forkChild } from './fleet-helpers.js';

/**
 * Leader election across processes: two daemons (separate processes) on one Postgres database.
 * Only one leads the loops; after the leader is killed with SIGKILL the other takes over, and the
 * schedule (every minute of a 60× fast clock, so every real second) fires exactly once per tick
 * with no tick lost across the failover.
 */

const SCRIPT = fileURLToPath(new URL('./fixtures/lease-daemon.ts', import.meta.url));
const DEFS = fileURLToPath(new URL('./fixtures/schedule-defs.ts', import.meta.url));
const db = testDatabase('cairn_lease');
const url = db.url;
const admin = pgAdmin;

const children: ChildProcess[] = [];
let home = '';

beforeAll(async () => {
  if (postgresSkipReason !== undefined) return;
  home = mkdtempSync(join(tmpdir(), 'cairn-lease-'));
  await db.create();
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  if (postgresSkipReason !== undefined) return;
  rmSync(home, { recursive: true, force: true });
  await db.drop();
});

/** Polls `check` every 50 ms until true; fails after `timeoutMs` with `what`. */
async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function startDaemon(clockBase: number, realBase: number) {
  const c = forkChild(SCRIPT, [home, DEFS, url, String(clockBase), String(realBase)], children);
  /** The last `leader` line printed. */
  const leader = () => [...c.output().matchAll(/leader (true|false)/g)].at(-1)?.[1] === 'true';
  return { ...c, leader };
}

async function scheduleTicks(): Promise<{ tick_key: string; run_ids: string }[]> {
  const { rows } = await admin(
    (c) =>
      c.query(
        `select tick_key, run_ids from instigator_ticks where kind = 'schedule' and name = 'every_minute' order by tick_key`,
      ),
    url,
  );
  return rows as { tick_key: string; run_ids: string }[];
}

describe.skipIf(postgresSkipReason !== undefined)(
  'leader lease across processes [postgres]',
  () => {
    it('one daemon leads; after kill -9 the other takes over and every tick fires exactly once', async () => {
      const realBase = Date.now();
      const clockBase = Date.parse('2030-01-01T00:00:00Z');
      const a = startDaemon(clockBase, realBase);
      await until('daemon A to lead', () => a.leader());
      const b = startDaemon(clockBase, realBase);
      await until('daemon B to start', () => b.output().includes('leader false'));
      await until('3 ticks under A', async () => (await scheduleTicks()).length >= 3);
      expect(a.leader()).toBe(true);
      expect(b.leader(), b.errors()).toBe(false);

      a.child.kill('SIGKILL');
      await a.exited;
      const ticksAtKill = (await scheduleTicks()).length;
      await until('daemon B to take over', () => b.leader());
      await until('3 ticks under B', async () => (await scheduleTicks()).length >= ticksAtKill + 3);
      b.child.kill('SIGTERM');
      expect(await b.exited, b.errors()).toBe(0);

      const ticks = await scheduleTicks();
      // No tick lost or repeated across the failover: consecutive minutes, each recorded once.
      const instants = ticks.map((t) => Date.parse(t.tick_key));
      for (let i = 1; i < instants.length; i++)
        expect(instants[i]! - instants[i - 1]!).toBe(60_000);
      const runIds = ticks.flatMap((t) => JSON.parse(t.run_ids) as string[]);
      // Each tick requested at most one run. The one tick A may have claimed in the instant it
      // was killed, before submitting its run, is recorded without one (a known limit, see docs).
      expect(runIds.length).toBeLessThanOrEqual(ticks.length);
      expect(ticks.length - runIds.length).toBeLessThanOrEqual(1);
      expect(new Set(runIds).size).toBe(runIds.length);
      // Every run that started executed once (the claim row is exactly-once).
      const { rows } = await admin(
        (c) => c.query(`select status, count(*)::int as n from runs group by status`),
        url,
      );
      const byStatus = Object.fromEntries(rows.map((r) => [r.status, r.n as number]));
      const executions = readFileSync(join(home, 'ping.log'), 'utf8').trim().split('\n').length;
      expect(executions).toBeGreaterThanOrEqual(byStatus.success ?? 0);
      const { rows: claims } = await admin(
        (c) =>
          c.query('select count(*)::int as n, count(distinct run_id)::int as d from run_claims'),
        url,
      );
      expect(claims[0].n).toBe(claims[0].d);
      // No run executed twice: every execution belongs to a distinct claimed run. (Runs A was
      // executing when it was killed ran without recording their end; under load that can be
      // more than one, since a tick comes every real second.)
      expect(executions).toBeLessThanOrEqual(claims[0].d);
    }, 90_000);
  },
);
