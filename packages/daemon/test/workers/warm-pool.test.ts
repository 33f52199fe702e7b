import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import defs from '../fixtures/workers-defs.js';
import { FIXTURES, isAlive, ofType, run, start, tempHome, testPool } from './helpers.js';

const SLOW = 60_000;

// The fixture appends its pid to this file each time a process loads it.
let counterFile: string;
beforeEach(() => {
  counterFile = join(tempHome(), 'loads.txt');
  writeFileSync(counterFile, '');
  process.env.CAIRN_FIXTURE_LOAD_COUNTER = counterFile;
});
afterEach(() => {
  delete process.env.CAIRN_FIXTURE_LOAD_COUNTER;
});
const loads = () => readFileSync(counterFile, 'utf8').split('\n').filter(Boolean).map(Number);

/** The pid the `ok` asset logged through ctx.log. */
function loggedPid(events: Parameters<typeof ofType>[0]): number {
  const line = ofType(events, 'log').find((e) => e.message.startsWith('pid='));
  return Number(line?.message.slice(4));
}

describe('warm worker pool', () => {
  it('loads the definitions once per worker, before the first run, and reuses the worker', {
    timeout: SLOW,
  }, async () => {
    const pool = testPool({ size: 1 });
    await pool.ready();
    // Loaded before any run was submitted.
    expect(loads()).toEqual(pool.pids());
    const first = await run(pool, defs, 'ok');
    const second = await run(pool, defs, 'ok');
    expect(first.outcome.status).toBe('success');
    expect(second.outcome.status).toBe('success');
    expect(loggedPid(first.events)).toBe(pool.pids()[0]);
    expect(loggedPid(second.events)).toBe(loggedPid(first.events));
    expect(loads()).toHaveLength(1);
  });

  it('queues runs when every worker is busy and runs them in order', {
    timeout: SLOW,
  }, async () => {
    const pool = testPool({ size: 2 });
    await pool.ready();
    const blockers = [start(pool, defs, 'waits'), start(pool, defs, 'waits')];
    const queued = start(pool, defs, 'ok');
    await new Promise((r) => setTimeout(r, 200));
    expect(ofType(queued.events, 'run_started')).toHaveLength(0);
    blockers[0]!.handle.cancel();
    expect((await queued.handle.result).status).toBe('success');
    blockers[1]!.handle.cancel();
    await Promise.all(blockers.map((b) => b.handle.result));
    expect(loads()).toHaveLength(2);
  });

  it('captures stdout/stderr as log events of the step that wrote them, in parallel', {
    timeout: SLOW,
  }, async () => {
    const pool = testPool();
    const { outcome, events } = await run(pool, defs, 'par_a or par_b');
    expect(outcome.status).toBe('success');
    const logs = ofType(events, 'log').filter((e) => e.fields?.stream !== undefined);
    const starts = ofType(events, 'step_started').map((e) => e.stepKey);
    expect(starts.sort()).toEqual(['par_a', 'par_b']);
    for (const name of ['par_a', 'par_b']) {
      const mine = logs.filter((e) => e.message.startsWith(`${name} `));
      expect(mine.map((e) => e.message)).toEqual([
        `${name} line 0`,
        `${name} line 1`,
        `${name} line 2`,
        `${name} error line`,
        `${name} line 3`,
        `${name} line 4`,
      ]);
      for (const e of mine) {
        expect(e.stepKey).toBe(name);
        expect(e.assetKey).toBe(name);
      }
      const err = mine.find((e) => e.message.endsWith('error line'));
      expect(err?.fields).toEqual({ stream: 'stderr' });
      expect(err?.level).toBe('warn');
    }
    // The two steps really interleaved: a par_b line comes before the last par_a line.
    const order = logs.map((e) => e.stepKey);
    expect(order.indexOf('par_b')).toBeLessThan(order.lastIndexOf('par_a'));
  });

  it('keeps ctx.log lines and stdout lines apart', { timeout: SLOW }, async () => {
    const pool = testPool();
    const { events } = await run(pool, defs, 'ok');
    const logs = ofType(events, 'log');
    const ctxLine = logs.find((e) => e.message.startsWith('pid='));
    const stdout = logs.find((e) => e.message.startsWith('stdout from ok'));
    expect(ctxLine?.fields).toBeUndefined();
    expect(stdout?.fields).toEqual({ stream: 'stdout' });
    expect(stdout?.stepKey).toBe('ok');
  });

  it('reload() swaps in fresh workers that load the definitions again', {
    timeout: SLOW,
  }, async () => {
    const pool = testPool({ size: 2 });
    await pool.ready();
    const before = pool.pids();
    await pool.reload();
    const after = pool.pids();
    expect(after).toHaveLength(2);
    for (const pid of after) expect(before).not.toContain(pid);
    expect(loads()).toHaveLength(4);
    await new Promise((r) => setTimeout(r, 100));
    for (const pid of before) expect(isAlive(pid)).toBe(false);
    expect((await run(pool, defs, 'ok')).outcome.status).toBe('success');
  });

  it('close() kills every worker and cancels the running run', { timeout: SLOW }, async () => {
    const pool = testPool({ size: 2 });
    await pool.ready();
    const pids = pool.pids();
    const running = start(pool, defs, 'spins');
    await new Promise((r) => setTimeout(r, 100));
    await pool.close();
    expect((await running.handle.result).status).toBe('canceled');
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    const late = await run(pool, defs, 'ok');
    expect(late.outcome.error?.code).toBe('CAIRN_WORKER_POOL_CLOSED');
  });

  it('a pool whose definitions fail to load fails runs with the load error', {
    timeout: SLOW,
  }, async () => {
    const pool = testPool({ defsPath: join(FIXTURES, 'workers-defs-throws.ts') });
    await expect(pool.ready()).rejects.toMatchObject({ code: 'CAIRN_DEFINITIONS_LOAD_FAILED' });
    const { outcome, events } = await run(pool, defs, 'ok');
    expect(outcome.status).toBe('failure');
    expect(outcome.error?.code).toBe('CAIRN_DEFINITIONS_LOAD_FAILED');
    expect(outcome.error?.message).toContain('cannot reach the warehouse at load time');
    expect(events.map((e) => e.type)).toEqual(['run_started', 'step_skipped', 'run_finished']);
  });

  it('keeps a default IO manager the user configured', { timeout: SLOW }, async () => {
    const home = tempHome();
    const { defs: memDefs } = await import('../fixtures/workers-defs-memory-io.js');
    const pool = testPool({ home, defsPath: join(FIXTURES, 'workers-defs-memory-io.ts') });
    expect((await run(pool, memDefs, 'kept')).outcome.status).toBe('success');
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(home, 'storage'))).toBe(false);
  });
});
