import type { RunRecord, Storage } from '../storage/index.js';

const TERMINAL = new Set(['success', 'failure', 'canceled']);

/** Callers of `waitForRun`, resolved when the coordinator sees their run end. */
export class RunWaiters {
  readonly #storage: Storage;
  readonly #waiters = new Map<string, ((run: RunRecord) => void)[]>();
  readonly #unknown: (runId: string) => Error;

  constructor(storage: Storage, unknown: (runId: string) => Error) {
    this.#storage = storage;
    this.#unknown = unknown;
  }

  /** Resolves with the run once it has ended (at once when it already has). */
  wait(runId: string): Promise<RunRecord> {
    return new Promise<RunRecord>((resolve, reject) => {
      // Register first, then read, so an end between the two cannot be missed.
      const list = this.#waiters.get(runId) ?? [];
      list.push(resolve);
      this.#waiters.set(runId, list);
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

  #drop(runId: string, resolve: (run: RunRecord) => void): void {
    const list = this.#waiters.get(runId)?.filter((r) => r !== resolve);
    if (list === undefined || list.length === 0) this.#waiters.delete(runId);
    else this.#waiters.set(runId, list);
  }
}
