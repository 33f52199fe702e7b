import { CairnError } from '../errors.js';
import type { Clock } from './clock.js';

/** What bounds one attempt of user code: an optional time limit and the run's cancellation. */
export interface Limits {
  /** The run's clock; its `sleep` measures the time limit, so tests control it. */
  clock: Clock;
  /** Per-attempt time limit in ms; undefined for none. */
  timeoutMs: number | undefined;
  /** The run's signal (a never-aborted one when the run cannot be cancelled). */
  runSignal: AbortSignal;
  /** Rejects when the run is cancelled; undefined when it cannot be. Shared by every step. */
  runAborted: Promise<never> | undefined;
  /** Names the culprit in the timeout message, e.g. `Asset "shop/orders" partition "2024-01-01"`. */
  what: string;
  /** Facts for the timeout error. */
  details: Record<string, unknown>;
}

/**
 * Runs `fn` with a signal that aborts when the time limit passes or the run is cancelled, and
 * settles as soon as either happens even when `fn` ignores its signal (it is raced, not awaited).
 * Without a time limit no timer or controller is created: the common case costs nothing extra.
 */
export async function withLimits<T>(
  fn: (signal: AbortSignal) => T | PromiseLike<T>,
  limits: Limits,
): Promise<T> {
  if (limits.timeoutMs === undefined) {
    const result = fn(limits.runSignal);
    if (limits.runAborted === undefined || !isThenable(result)) return result;
    return Promise.race([result, limits.runAborted]);
  }
  const { clock, timeoutMs, runSignal } = limits;
  const controller = new AbortController();
  const timer = new AbortController();
  const onRunAbort = () => controller.abort(runSignal.reason);
  runSignal.addEventListener('abort', onRunAbort, { once: true });
  const timeout = clock.sleep(timeoutMs, timer.signal).then(() => {
    const err = new CairnError(
      'CAIRN_STEP_TIMEOUT',
      `${limits.what} did not finish within its timeoutMs of ${timeoutMs} ms: its signal was aborted. Make it faster, pass ctx.signal to what it awaits, or raise timeoutMs.`,
      { ...limits.details, timeoutMs },
    );
    controller.abort(err);
    throw err;
  });
  try {
    const racers: Promise<T>[] = [Promise.resolve().then(() => fn(controller.signal)), timeout];
    if (limits.runAborted !== undefined) racers.push(limits.runAborted);
    return await Promise.race(racers);
  } finally {
    runSignal.removeEventListener('abort', onRunAbort);
    // Cancels the pending sleep; its rejection is absorbed by the race above.
    timer.abort();
    timeout.catch(() => {});
  }
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return (
    typeof x === 'object' && x !== null && typeof (x as { then?: unknown }).then === 'function'
  );
}
