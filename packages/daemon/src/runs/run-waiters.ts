import type { RunRecord, Storage } from '../storage/index.js';

const TERMINAL = new Set(['success', 'failure', 'canceled']);

/**
 * Callers of `waitForRun`. Resolved when the coordinator sees their run end, and, for runs that
 * end in another process (a worker, another daemon), by a look at the runs index every
 * `pollMs` while anyone waits (one query for all awaited runs).
 */
export class RunWaiters {
  readonly #storage: Storage;
  readonly #waiters = new Map<string, ((run: RunRecord) => void)[]>();
  readonly #unknown: (runId: string) => Error;
  readonly #pollMs: number;
  #timer: NodeJS.Timeout | undefined;
  #polling = false;
  #closed = false;

  constructor(storage: Storage, unknown: (runId: string) => Error, pollMs = 500) {
    this.#storage = storage;
    this.#unknown = unknown;
    this.#pollMs = pollMs;
  }

  /** Resolves with the run once it has ended (at once when it already has). */
  wait(runId: string): Promise<RunRecord> {
    return new Promise<RunRecord>((resolve, reject) => {
      // Register first, then read, so an end between the two cannot be missed.
      const list = this.#waiters.get(runId) ?? [];
      list.push(resolve);
      this.#waiters.set(runId, list);
      this.#schedule();
      this.#storage.getRun(runId).then((run) => {
        if (run === undefined) {
          this.#drop(runId, resolve);
          reject(this.#unknown(runId));
        } else if (TERMINAL.has(run.status)) {
          this.#drop(runId, resolve);
          resolve(run);
        }
      }, reject);
    });
  }

  /** Resolves the waiters of a run that has ended (its events are committed). */
  async ended(runId: string): Promise<void> {
    const waiters = this.#waiters.get(runId);
    if (waiters === undefined) return;
    this.#waiters.delete(runId);
    const run = await this.#storage.getRun(runId);
    if (run !== undefined) for (const resolve of waiters) resolve(run);
  }

  /** Stops polling (the storage is closing); waiters left pending stay pending. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#polling || this.#closed || this.#pollMs <= 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#polling = true;
      this.#poll()
        .catch(() => undefined)
        .finally(() => {
          this.#polling = false;
          if (this.#waiters.size > 0) this.#schedule();
        });
    }, this.#pollMs);
  }

  async #poll(): Promise<void> {
    const ids = [...this.#waiters.keys()];
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.#storage.db
        .selectFrom('runs')
        .select(['run_id', 'status'])
        .where('run_id', 'in', ids.slice(i, i + 500))
        .execute();
      for (const row of rows) if (TERMINAL.has(row.status)) await this.ended(row.run_id);
    }
  }

  #drop(runId: string, resolve: (run: RunRecord) => void): void {
    const list = this.#waiters.get(runId)?.filter((r) => r !== resolve);
    if (list === undefined || list.length === 0) this.#waiters.delete(runId);
    else this.#waiters.set(runId, list);
  }
}
