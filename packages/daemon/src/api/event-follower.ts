import type { EventRecord } from '../storage/index.js';
import type { ApiDaemon } from './api-daemon.js';

/** A subscriber of the follower: gets every committed event after its start, in log order. */
export type FollowListener = (records: readonly EventRecord[]) => void;

/**
 * Follows the event log for all live streams of one app with ONE reader: woken by the daemon's
 * `onEvent` (events appended through the coordinator) and by a poll every `pollMs` (events
 * appended by other writers: backfills, a `cairn materialize` next to the daemon). Each wake-up
 * reads `getEventsAfter(lastId)` once and fans the records out, so N clients cost one query.
 */
export class EventFollower {
  readonly #daemon: ApiDaemon;
  readonly #listeners = new Set<FollowListener>();
  readonly #pollMs: number;
  #lastId = 0;
  #started: Promise<void> | undefined;
  #reading: Promise<void> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #closed = false;

  constructor(daemon: ApiDaemon, pollMs = 500) {
    this.#daemon = daemon;
    this.#pollMs = pollMs;
  }

  /** The id of the last event delivered to listeners. */
  get lastId(): number {
    return this.#lastId;
  }

  /** Starts following (lazily, with the first subscriber); resolves once `lastId` is known. */
  start(): Promise<void> {
    this.#started ??= (async () => {
      this.#lastId = await this.#daemon.storage.getLastEventId();
      this.#unsubscribe = this.#daemon.onEvent(() => this.#wake());
      this.#timer = setInterval(() => this.#wake(), this.#pollMs);
      this.#timer.unref();
    })();
    // A failed start (storage closed) may be retried by the next stream.
    this.#started.catch(() => {
      this.#started = undefined;
    });
    return this.#started;
  }

  /** Subscribes; returns the unsubscribe function. */
  subscribe(listener: FollowListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Stops following (app close). */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#unsubscribe?.();
    this.#listeners.clear();
  }

  #wake(): void {
    // Reads even with no listener, so `lastId` stays current for the next stream.
    if (this.#closed) return;
    if (this.#reading !== undefined) {
      this.#again = true;
      return;
    }
    this.#reading = this.#read().finally(() => {
      this.#reading = undefined;
      if (this.#again) {
        this.#again = false;
        this.#wake();
      }
    });
  }

  async #read(): Promise<void> {
    try {
      for (;;) {
        const page = await this.#daemon.storage.getEventsAfter(this.#lastId, { limit: 1000 });
        if (page.records.length === 0) return;
        this.#lastId = page.records[page.records.length - 1]!.id;
        for (const listener of this.#listeners) {
          try {
            listener(page.records);
          } catch {
            // A broken stream is closed by its own handler; it must not stop the others.
          }
        }
        if (page.nextCursor === undefined) return;
      }
    } catch {
      // Storage closing (daemon stopping): the streams end with the app.
    }
  }
}
