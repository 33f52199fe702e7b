import type { Clock } from './clock.js';

/** A clock whose time only moves when told to; for tests of retries, timeouts and schedules. */
export interface ManualClock extends Clock {
  /** Moves time forward by `ms`, resolving every sleep that falls due (in due order). */
  advance(ms: number): Promise<void>;
  /** Sets the current instant (never backwards) and resolves the sleeps that fall due. */
  set(instant: Date): Promise<void>;
  /** Every sleep requested so far, in ms, in request order (retry delays, timeouts). */
  readonly sleeps: readonly number[];
  /** Number of sleeps still waiting. */
  readonly pending: number;
}

interface Sleeper {
  due: number;
  seq: number;
  resolve: () => void;
}

/** Lets promise continuations queued by resolved sleeps run before time moves again. */
async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}

/**
 * Creates a manual clock starting at `start`. With `autoAdvance: true` every sleep completes at
 * once and moves time forward by its duration, so retry tests need no `advance()` calls.
 *
 * @example
 * const clock = manualClock(new Date('2024-01-01T00:00:00Z'), { autoAdvance: true });
 * await materialize(defs, { clock });
 * expect(clock.sleeps).toEqual([1000, 2000]);
 */
export function manualClock(
  start: Date = new Date('2024-01-01T00:00:00Z'),
  options: { autoAdvance?: boolean } = {},
): ManualClock {
  let now = start.getTime();
  let seq = 0;
  const sleeps: number[] = [];
  let waiting: Sleeper[] = [];

  const release = async (to: number) => {
    now = Math.max(now, to);
    const due = waiting.filter((s) => s.due <= now).sort((a, b) => a.due - b.due || a.seq - b.seq);
    waiting = waiting.filter((s) => s.due > now);
    for (const s of due) s.resolve();
    await flush();
  };

  return {
    now: () => new Date(now),
    sleep(ms, signal) {
      sleeps.push(ms);
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (options.autoAdvance) {
        now += ms;
        return Promise.resolve();
      }
      return new Promise<void>((resolve, reject) => {
        const sleeper: Sleeper = { due: now + ms, seq: seq++, resolve };
        const onAbort = () => {
          waiting = waiting.filter((s) => s !== sleeper);
          reject(signal!.reason);
        };
        sleeper.resolve = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        waiting.push(sleeper);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    advance: (ms) => release(now + ms),
    set: (instant) => release(instant.getTime()),
    get sleeps() {
      return sleeps;
    },
    get pending() {
      return waiting.length;
    },
  };
}
