/** Where the engine, scheduler and automation read time from; tests inject a manual one. */
export interface Clock {
  /** The current instant. */
  now(): Date;
  /**
   * Resolves after `ms` milliseconds; rejects with the signal's reason as soon as `signal` aborts
   * (so a cancelled run does not wait out a retry delay).
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The reason used when a signal aborted without one. */
function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('The operation was aborted.');
}

/** The real clock: `new Date()` and `setTimeout`. */
export const systemClock: Clock = Object.freeze({
  now: () => new Date(),
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortReason(signal!));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
});
