import type { RetryPolicy } from '../asset-types.js';

/** The delay before a retry when the policy does not give one, as in the policy's docs. */
export const DEFAULT_RETRY_DELAY_MS = 1000;

/**
 * The delay in ms before retry number `retry` (1 for the first retry): `delayMs × retry` when
 * linear, `delayMs × 2^(retry-1)` when exponential, plus a random spread of up to `jitter` × that
 * delay (all of it for `jitter: true`), rounded to whole ms.
 */
export function retryDelay(
  policy: RetryPolicy,
  retry: number,
  random: () => number = Math.random,
): number {
  const base = policy.delayMs ?? DEFAULT_RETRY_DELAY_MS;
  const grown = policy.backoff === 'linear' ? base * retry : base * 2 ** (retry - 1);
  const spread = policy.jitter === true ? 1 : typeof policy.jitter === 'number' ? policy.jitter : 0;
  return Math.round(grown + (spread > 0 ? grown * spread * random() : 0));
}
