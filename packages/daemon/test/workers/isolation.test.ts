import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import defs from '../fixtures/workers-defs.js';
import { isAlive, ofType, run, start, tempHome, testPool } from './helpers.js';

// Each case forks real worker processes (~0.5 s each on 2 shared cores): allow for it.
const SLOW = 60_000;

describe('worker pool isolation', () => {
  it('a step that throws fails with the user stack and the worker lives on', {
    timeout: SLOW,
  }, async () => {
    const pool = testPool();
    await pool.ready();
    const [pid] = pool.pids();
    const { outcome, events } = await run(pool, defs, 'throws');
    expect(outcome.status).toBe('failure');
    const [failed] = ofType(events, 'step_failed');
    expect(failed?.stepKey).toBe('throws');
    expect(failed?.error.message).toBe('boom from user code');
    expect(failed?.error.stack).toContain('workers-defs.ts');
    expect(ofType(events, 'run_finished')[0]?.status).toBe('failure');
    // Same worker serves the next run.
    const next = await run(pool, defs, 'ok');
    expect(next.outcome.status).toBe('success');
    expect(pool.pids()).toEqual([pid]);
  });

  it('process.exit(3) fails the step and the run, and the next run succeeds', {
    timeout: SLOW,
  }, async () => {
    const pool = testPool();
    await pool.ready();
    const [pid] = pool.pids();
    const { outcome, events } = await run(pool, defs, 'exits');
    expect(outcome.status).toBe('failure');
    expect(outcome.error?.code).toBe('CAIRN_WORKER_EXITED');
    const [failed] = ofType(events, 'step_failed');
    expect(failed?.stepKey).toBe('exits');
    expect(failed?.error.message).toContain(
      'worker process exited with code 3 while running step "exits"',
    );
    const [finished] = ofType(events, 'run_finished');
    expect(finished?.status).toBe('failure');
    expect(finished?.counts.failed).toBe(1);
    expect(events.at(-1)?.type).toBe('run_finished');
    const next = await run(pool, defs, 'ok');
    expect(next.outcome.status).toBe('success');
    expect(pool.pids()).not.toContain(pid);
    expect(isAlive(pid!)).toBe(false);
  });

  it('a memory leak past the limit fails the step naming the limit', {
    timeout: SLOW,
  }, async () => {
    const pool = testPool({ memoryLimitMb: 96 });
    const { outcome, events } = await run(pool, defs, 'leaks');
    expect(outcome.status).toBe('failure');
    expect(outcome.error?.code).toBe('CAIRN_WORKER_OUT_OF_MEMORY');
    const [failed] = ofType(events, 'step_failed');
    expect(failed?.stepKey).toBe('leaks');
    expect(failed?.error.message).toContain('ran out of memory (memory limit 96 MB');
    const next = await run(pool, defs, 'ok');
    expect(next.outcome.status).toBe('success');
  });

  it('an infinite synchronous loop is hard-killed after timeoutMs + grace', {
    timeout: SLOW,
  }, async () => {
    const pool = testPool({ killGraceMs: 200 });
    const { outcome, events } = await run(pool, defs, 'loops');
    expect(outcome.status).toBe('failure');
    const [failed] = ofType(events, 'step_failed');
    expect(failed?.stepKey).toBe('loops');
    expect(failed?.error.code).toBe('CAIRN_STEP_TIMEOUT');
    expect(failed?.error.message).toContain('timeoutMs of 300 ms');
    const next = await run(pool, defs, 'ok');
    expect(next.outcome.status).toBe('success');
  });

  it('cancel aborts the signal first: a run that honours it ends canceled, worker kept', {
    timeout: SLOW,
  }, async () => {
    const pool = testPool();
    await pool.ready();
    const [pid] = pool.pids();
    const { handle, events } = start(pool, defs, 'waits');
    await waitFor(() => ofType(events, 'step_started').length === 1);
    handle.cancel('test');
    const outcome = await handle.result;
    expect(outcome.status).toBe('canceled');
    expect(ofType(events, 'run_finished')[0]?.status).toBe('canceled');
    expect(ofType(events, 'step_failed')[0]?.error.code).toBe('CAIRN_RUN_ABORTED');
    expect(pool.pids()).toEqual([pid]);
  });

  it('cancel hard-kills a run that ignores its signal after killGraceMs', {
    timeout: SLOW,
  }, async () => {
    const pool = testPool({ killGraceMs: 200 });
    await pool.ready();
    const [pid] = pool.pids();
    const { handle, events } = start(pool, defs, 'spins');
    await waitFor(() => ofType(events, 'step_started').length === 1);
    handle.cancel('test');
    const outcome = await handle.result;
    expect(outcome.status).toBe('canceled');
    expect(outcome.error?.code).toBe('CAIRN_RUN_ABORTED');
    const [failed] = ofType(events, 'step_failed');
    expect(failed?.stepKey).toBe('spins');
    expect(failed?.error.message).toContain('did not stop within killGraceMs (200 ms)');
    expect(ofType(events, 'run_finished')[0]?.status).toBe('canceled');
    expect(isAlive(pid!)).toBe(false);
    const next = await run(pool, defs, 'ok');
    expect(next.outcome.status).toBe('success');
  });

  it('cancelling a queued run ends it canceled without running it', { timeout: SLOW }, async () => {
    const pool = testPool();
    const first = start(pool, defs, 'waits');
    const second = start(pool, defs, 'ok');
    second.handle.cancel('not needed');
    expect((await second.handle.result).status).toBe('canceled');
    expect(ofType(second.events, 'step_started')).toHaveLength(0);
    expect(ofType(second.events, 'run_finished')[0]?.status).toBe('canceled');
    first.handle.cancel();
    expect((await first.handle.result).status).toBe('canceled');
  });

  it('the implicit default IO manager becomes a filesystem one under <home>/storage', {
    timeout: SLOW,
  }, async () => {
    const home = tempHome();
    const pool = testPool({ home, size: 2 });
    const first = await run(pool, defs, 'ok');
    expect(first.outcome.status).toBe('success');
    const file = join(home, 'storage', 'ok', '__value.json');
    expect(existsSync(file)).toBe(true);
    const pid = Number(readFileSync(file, 'utf8'));
    // A later run (on either worker) reads the stored value.
    const second = await run(pool, defs, 'after_ok');
    expect(second.outcome.status).toBe('success');
    expect(
      JSON.parse(readFileSync(join(home, 'storage', 'after_ok', '__value.json'), 'utf8')),
    ).toBe(pid + 1);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 10));
}
