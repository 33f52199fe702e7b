import type { Kysely } from 'kysely';
import type { CairnDatabase } from '../storage/schema.js';
import type { Storage } from '../storage/storage.js';
import type { LeaseDatabase } from './lease-tables.js';

/** Options of `RunHeartbeats`. */
export interface RunHeartbeatsOptions {
  storage: Storage;
  /** The runs this process executes now. */
  activeRunIds: () => readonly string[];
  /** Milliseconds between heartbeats. */
  intervalMs: number;
  /** Receives errors of a heartbeat (the loop goes on). */
  onError: (err: unknown) => void;
}

/**
 * Keeps the `run_claims` rows of the runs this process executes alive: every `intervalMs` one
 * UPDATE sets their `heartbeat_at` to now (wall time). The leader recovers started runs whose
 * heartbeat is older than the run lease (`expiredRunClaims`).
 */
export class RunHeartbeats {
  readonly #options: RunHeartbeatsOptions;
  #timer: NodeJS.Timeout | undefined;
  #beat: Promise<void> | undefined;

  constructor(options: RunHeartbeatsOptions) {
    this.#options = options;
  }

  /** Starts the heartbeat loop (idempotent). */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      if (this.#beat !== undefined) return;
      this.#beat = this.beat()
        .catch((err) => this.#options.onError(err))
        .finally(() => {
          this.#beat = undefined;
        });
    }, this.#options.intervalMs);
    this.#timer.unref();
  }

  /** One heartbeat now for every active run. */
  async beat(): Promise<void> {
    const ids = this.#options.activeRunIds();
    if (ids.length === 0) return;
    await db(this.#options.storage)
      .updateTable('run_claims')
      .set({ heartbeat_at: Date.now() })
      .where('run_id', 'in', [...ids])
      .execute();
  }

  /** Stops the loop and waits for a heartbeat in flight. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#beat;
  }
}

function db(storage: Storage): Kysely<CairnDatabase & LeaseDatabase> {
  return storage.db as unknown as Kysely<CairnDatabase & LeaseDatabase>;
}

/** Ids of the started runs whose claimer's last heartbeat is older than `expireMs` (oldest first). */
export async function expiredRunClaims(storage: Storage, expireMs: number): Promise<string[]> {
  const rows = await db(storage)
    .selectFrom('run_claims')
    .innerJoin('runs', 'runs.run_id', 'run_claims.run_id')
    .select('run_claims.run_id')
    .where('runs.status', '=', 'started')
    .where('run_claims.heartbeat_at', '<', Date.now() - expireMs)
    .orderBy('runs.created_event_id')
    .execute();
  return rows.map((r) => r.run_id);
}
