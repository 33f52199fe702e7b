import { describe, expect, it } from 'vitest';
import { asset } from '../../src/asset.js';
import type { AnyAssetDefinition } from '../../src/asset-types.js';
import { definitions } from '../../src/definitions.js';
import { manualClock } from '../../src/execution/manual-clock.js';
import { materialize } from '../../src/execution/materialize.js';
import { eventsOf } from './fixtures.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('bounded parallelism', () => {
  it.each([1, 2, 3])('runs at most maxConcurrency=%i steps at once', async (max) => {
    let running = 0;
    let peak = 0;
    const assets = Array.from({ length: 8 }, (_, i) =>
      asset({ key: `leaf_${i}` }, async () => {
        running++;
        peak = Math.max(peak, running);
        await tick(5);
        running--;
        return i;
      }),
    );
    const run = await materialize(definitions({ assets }), { maxConcurrency: max });
    expect(run.success).toBe(true);
    expect(peak).toBe(max);
  });

  it('starts a step only after all the steps it depends on succeeded', async () => {
    const order: string[] = [];
    const mk = (key: string, ms: number, deps: Record<string, AnyAssetDefinition> = {}) =>
      asset({ key, deps }, async () => {
        order.push(`start ${key}`);
        await tick(ms);
        order.push(`end ${key}`);
        return key;
      });
    const a = mk('a', 15);
    const b = mk('b', 1);
    const c = mk('c', 1, { a, b });
    await materialize(definitions({ assets: [a, b, c] }), { maxConcurrency: 4 });
    expect(order.indexOf('start c')).toBeGreaterThan(order.indexOf('end a'));
    expect(order.indexOf('start c')).toBeGreaterThan(order.indexOf('end b'));
    expect(order.slice(0, 2).sort()).toEqual(['start a', 'start b']);
  });

  it('rejects an invalid maxConcurrency', async () => {
    const a = asset({ key: 'a' }, () => 1);
    await expect(materialize(definitions({ assets: [a] }), { maxConcurrency: 0 })).rejects.toThrow(
      /maxConcurrency must be a whole number >= 1, got 0/,
    );
  });
});

describe('cancellation', () => {
  it('aborts running steps (even those ignoring the signal), skips pending ones, reports canceled', async () => {
    const controller = new AbortController();
    let sawAbort = false;
    const a = asset({ key: 'a' }, (_, ctx) => {
      ctx.signal.addEventListener('abort', () => {
        sawAbort = true;
      });
      setTimeout(() => controller.abort(), 5);
      return new Promise(() => {}); // never settles
    });
    const b = asset({ key: 'b', deps: { a } }, ({ a }) => a);
    const run = await materialize(definitions({ assets: [a, b] }), { signal: controller.signal });
    expect(sawAbort).toBe(true);
    expect(run.status).toBe('canceled');
    expect(run.success).toBe(false);
    expect(run.result.steps).toEqual({ a: 'canceled', b: 'skipped' });
    expect(eventsOf(run.events, 'step_failed')[0]!.error.code).toBe('CAIRN_RUN_ABORTED');
    expect(eventsOf(run.events, 'step_skipped')[0]!.reason).toBe(
      `run "${run.runId}" was cancelled`,
    );
    expect(eventsOf(run.events, 'run_finished')[0]!.status).toBe('canceled');
  });

  it('stops waiting out a retry delay when cancelled', async () => {
    const controller = new AbortController();
    const clock = manualClock();
    const a = asset({ key: 'a', retry: { maxRetries: 3, delayMs: 60_000 } }, () => {
      throw new Error('down');
    });
    const pending = materialize(definitions({ assets: [a] }), { clock, signal: controller.signal });
    await clock.advance(0);
    expect(clock.pending).toBe(1);
    controller.abort();
    const run = await pending;
    expect(run.status).toBe('canceled');
    expect(run.failures[0]!.error.code).toBe('CAIRN_RUN_ABORTED');
  });

  it('runs nothing when the signal is already aborted', async () => {
    let ran = false;
    const a = asset({ key: 'a' }, () => {
      ran = true;
    });
    const run = await materialize(definitions({ assets: [a] }), { signal: AbortSignal.abort() });
    expect(ran).toBe(false);
    expect(run.status).toBe('canceled');
    expect(run.result.steps).toEqual({ a: 'skipped' });
  });
});
