import { describe, expect, it } from 'vitest';
import { asset } from '../../src/asset.js';
import { definitions } from '../../src/definitions.js';
import { manualClock } from '../../src/execution/manual-clock.js';
import { materialize } from '../../src/execution/materialize.js';
import { retryDelay } from '../../src/execution/retry-delay.js';
import { eventsOf } from './fixtures.js';

describe('retryDelay', () => {
  it('grows linearly or exponentially from delayMs (default 1000)', () => {
    expect([1, 2, 3, 4].map((r) => retryDelay({ maxRetries: 4 }, r))).toEqual([
      1000, 2000, 4000, 8000,
    ]);
    expect(
      [1, 2, 3].map((r) => retryDelay({ maxRetries: 3, delayMs: 50, backoff: 'linear' }, r)),
    ).toEqual([50, 100, 150]);
  });

  it('adds jitter of up to the given fraction of the delay', () => {
    expect(retryDelay({ maxRetries: 1, delayMs: 100, jitter: true }, 1, () => 0.5)).toBe(150);
    expect(retryDelay({ maxRetries: 1, delayMs: 100, jitter: 0.2 }, 2, () => 0.5)).toBe(220);
    expect(retryDelay({ maxRetries: 1, delayMs: 100, jitter: 0.2 }, 2, () => 0)).toBe(200);
  });
});

describe('retries', () => {
  it('retries with exponential backoff through the clock, then succeeds', async () => {
    let attempts = 0;
    const seen: number[] = [];
    const flaky = asset({ key: 'flaky', retry: { maxRetries: 3, delayMs: 100 } }, (_, ctx) => {
      attempts++;
      seen.push(ctx.attempt);
      if (attempts < 3) throw new Error(`transient ${attempts}`);
      return 'ok';
    });
    const clock = manualClock(new Date('2024-01-01T00:00:00Z'), { autoAdvance: true });
    const run = await materialize(definitions({ assets: [flaky] }), { clock });
    expect(run.success).toBe(true);
    expect(attempts).toBe(3);
    expect(seen).toEqual([1, 2, 3]);
    expect(clock.sleeps).toEqual([100, 200]);
    const retries = eventsOf(run.events, 'step_retry');
    expect(retries.map((r) => [r.attempt, r.delayMs, r.error.message])).toEqual([
      [2, 100, 'transient 1'],
      [3, 200, 'transient 2'],
    ]);
    // Time moved by the delays: the materialization is stamped 300 ms after the start.
    expect(run.materializations[0]!.timestamp).toBe('2024-01-01T00:00:00.300Z');
  });

  it('fails after maxRetries + 1 attempts with linear delays', async () => {
    let attempts = 0;
    const a = asset({ key: 'a', retry: { maxRetries: 2, delayMs: 10, backoff: 'linear' } }, () => {
      attempts++;
      throw new Error('always');
    });
    const clock = manualClock(undefined, { autoAdvance: true });
    const run = await materialize(definitions({ assets: [a] }), { clock });
    expect(attempts).toBe(3);
    expect(clock.sleeps).toEqual([10, 20]);
    const failed = eventsOf(run.events, 'step_failed')[0]!;
    expect(failed.attempts).toBe(3);
    expect(failed.error.message).toBe('always');
  });

  it('does not retry when the input is missing', async () => {
    let attempts = 0;
    const up = asset({ key: 'up' }, () => 1);
    const down = asset({ key: 'down', deps: { up }, retry: { maxRetries: 5 } }, ({ up }) => {
      attempts++;
      return up;
    });
    const clock = manualClock(undefined, { autoAdvance: true });
    const run = await materialize(definitions({ assets: [up, down] }), {
      selection: 'down',
      clock,
    });
    expect(run.failures[0]!.error.code).toBe('CAIRN_INPUT_NOT_FOUND');
    expect(attempts).toBe(0);
    expect(clock.sleeps).toEqual([]);
  });
});

describe('timeouts', () => {
  it('fails an attempt that ignores its signal with CAIRN_STEP_TIMEOUT and aborts the signal', async () => {
    let signal: AbortSignal | undefined;
    const hang = asset({ key: 'hang', timeoutMs: 30 }, (_, ctx) => {
      signal = ctx.signal;
      // Ignores the signal on purpose: resolves long after the limit.
      return new Promise((resolve) => setTimeout(() => resolve('late'), 2000).unref());
    });
    const t0 = Date.now();
    const run = await materialize(definitions({ assets: [hang] }));
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeLessThan(1000);
    expect(run.success).toBe(false);
    expect(run.failures[0]!.error.code).toBe('CAIRN_STEP_TIMEOUT');
    expect(run.failures[0]!.error.message).toContain('Asset "hang"');
    expect(run.failures[0]!.error.message).toContain('30 ms');
    expect(signal?.aborted).toBe(true);
    expect((signal!.reason as { code?: string }).code).toBe('CAIRN_STEP_TIMEOUT');
  });

  it('measures time limits with the injected clock and retries timed-out attempts', async () => {
    const clock = manualClock(new Date('2024-01-01T00:00:00Z'));
    let attempts = 0;
    const slow = asset(
      { key: 'slow', timeoutMs: 5000, retry: { maxRetries: 1, delayMs: 100 } },
      (_, ctx) => {
        attempts++;
        if (attempts === 2) return 'second time lucky';
        return new Promise((_, reject) =>
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)),
        );
      },
    );
    const pending = materialize(definitions({ assets: [slow] }), { clock });
    await clock.advance(0);
    expect(attempts).toBe(1);
    await clock.advance(4999);
    expect(attempts).toBe(1);
    await clock.advance(1); // the limit passes
    await clock.advance(100); // the retry delay passes
    const run = await pending;
    expect(attempts).toBe(2);
    expect(run.success).toBe(true);
    expect(run.values.get('slow')).toBe('second time lucky');
    expect(clock.sleeps).toEqual([5000, 100, 5000]);
    expect(clock.pending).toBe(0);
    expect(eventsOf(run.events, 'step_retry')[0]!.error.code).toBe('CAIRN_STEP_TIMEOUT');
  });

  it('creates no timer when no time limit is set', async () => {
    const clock = manualClock(undefined, { autoAdvance: true });
    const a = asset({ key: 'a' }, () => 1);
    await materialize(definitions({ assets: [a] }), { clock });
    expect(clock.sleeps).toEqual([]);
  });
});
