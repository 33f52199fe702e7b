import type { ApiDaemon } from './api-daemon.js';

/**
 * A short-lived cache of hot status reads (an asset's partition ranges), so many clients polling
 * the same assets cost one storage read per asset per change instead of one per request. It is
 * emptied synchronously by every event the daemon commits (its `onEvent` fires before the
 * writer's promise resolves, so a client never reads status older than its own write), and
 * entries expire after `ttlMs` to pick up writes made by other processes and time-window
 * partitions that appear as time passes.
 */
export class ReadCache {
  readonly #entries = new Map<string, { at: number; value: unknown }>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #unsubscribe: () => void;

  constructor(daemon: ApiDaemon, options: { ttlMs?: number; maxEntries?: number } = {}) {
    // 1 s: the poll interval of a status page, and well under any partition's time window.
    this.#ttlMs = options.ttlMs ?? 1000;
    // 10,000 entries of a few hundred bytes each: a few MB at most.
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#unsubscribe = daemon.onEvent(() => this.#entries.clear());
  }

  /** The cached value of `key`, or computes, caches and returns it. */
  async get<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = this.#entries.get(key);
    if (hit !== undefined && now - hit.at < this.#ttlMs) return hit.value as T;
    const value = await compute();
    if (this.#entries.size >= this.#maxEntries) this.#entries.clear();
    this.#entries.set(key, { at: now, value });
    return value;
  }

  /** Stops listening to the daemon's events. */
  close(): void {
    this.#unsubscribe();
    this.#entries.clear();
  }
}
