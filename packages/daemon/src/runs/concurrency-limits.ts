/**
 * The run queue's concurrency limits. Slots are not counters that could drift: every check counts
 * the runs that are active right now (claimed and not yet ended), so a run that ends or dies frees
 * its slots by construction and a slot can never leak.
 */

/** A limit on runs carrying a tag: with `value`, on those runs together; without, per distinct value. */
export interface TagLimit {
  /** The tag key, e.g. `team`. */
  key: string;
  /** The tag value; omitted = the limit applies to each distinct value separately. */
  value?: string;
  /** Most runs with the tag at once (0 holds them in the queue). */
  limit: number;
}

/** The compiled limits of a coordinator. */
export interface ConcurrencyLimits {
  /** Most runs executing at once. */
  maxConcurrentRuns: number;
  /** Limits on tagged runs. */
  tagLimits: readonly TagLimit[];
  /** Slots per named pool; a pool not listed is unlimited. */
  pools: Readonly<Record<string, number>>;
}

/** What a run holds while it is active: its tags and the pools its planned steps use. */
export interface SlotHolder {
  tags: Readonly<Record<string, string>>;
  pools: readonly string[];
}

/**
 * Why `candidate` cannot start next to the `active` runs (a short sentence for logs), or
 * undefined when it can. The global limit is checked by the caller, which stops scanning there.
 */
export function blockedBy(
  limits: ConcurrencyLimits,
  active: Iterable<SlotHolder>,
  candidate: SlotHolder,
): string | undefined {
  const running = [...active];
  for (const tagLimit of limits.tagLimits) {
    const value = candidate.tags[tagLimit.key];
    if (value === undefined) continue;
    if (tagLimit.value !== undefined && tagLimit.value !== value) continue;
    let count = 0;
    for (const run of running) if (run.tags[tagLimit.key] === value) count++;
    if (count >= tagLimit.limit) {
      return `tag ${tagLimit.key}=${value} is at its limit of ${tagLimit.limit} run(s)`;
    }
  }
  for (const pool of candidate.pools) {
    const slots = limits.pools[pool];
    if (slots === undefined) continue;
    let count = 0;
    for (const run of running) if (run.pools.includes(pool)) count++;
    if (count >= slots) return `pool "${pool}" has all ${slots} slot(s) leased`;
  }
  return undefined;
}
