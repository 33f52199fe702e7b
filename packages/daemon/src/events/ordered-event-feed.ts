import type { EventRecord } from '../storage/index.js';
import type { Storage } from '../storage/storage.js';

/** A subscriber of the feed: every committed event once, in event-id order. */
export type FeedListener = (record: EventRecord) => void;

/**
 * Every committed event of the log, once each and in id order, whoever wrote it: this process's
 * coordinator (offered right after commit, delivered at once when it is the next id, so a single
 * daemon sees its own events synchronously as before) and other processes sharing the database
 * (`cairn worker`, a second daemon, `cairn materialize` next to the daemon), found by reading the
 * log after the last delivered id when an offered event leaves a gap and on a poll every `pollMs`.
 *
 * In-order delivery matters: the daemon's asset state ignores events at or below the last one it
 * applied, so an event from another process delivered after a later one of ours would be lost.
 * Ids become visible in order on both dialects (SQLite has one writer; the Postgres writer holds
 * an advisory lock until commit), so reading `id > lastDelivered` misses nothing.
 */
export class OrderedEventFeed {
  readonly #storage: Storage;
  readonly #listeners = new Set<FeedListener>();
  readonly #pollMs: number;
  readonly #onError: (err: unknown) => void;
  /** Offered events waiting for the events before them to be read from the log. */
  readonly #waiting = new Map<number, EventRecord>();
  #last: number;
  #reading: Promise<void> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: {
    storage: Storage;
    /** The id of the last event already accounted for (delivery starts after it). */
    after: number;
    /** How often to look for events written by other processes; 0 turns the poll off. Default 500. */
    pollMs?: number;
    onError?: (err: unknown) => void;
  }) {
    this.#storage = options.storage;
    this.#last = options.after;
    this.#pollMs = options.pollMs ?? 500;
    this.#onError = options.onError ?? (() => undefined);
  }

  /** The id of the last event delivered. */
  get lastDeliveredId(): number {
    return this.#last;
  }

  /** Subscribes; returns the unsubscribe function. */
  subscribe(listener: FeedListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Starts polling for other processes' events. */
  start(): void {
    if (this.#closed || this.#timer !== undefined || this.#pollMs <= 0) return;
    this.#timer = setInterval(() => this.#wake(), this.#pollMs);
    this.#timer.unref();
  }

  /** An event this process committed: delivered now if it is the next one, else after a read. */
  offer(record: EventRecord): void {
    if (this.#closed || record.id <= this.#last) return;
    if (this.#reading === undefined && this.#waiting.size === 0 && record.id === this.#last + 1) {
      this.#deliver(record);
      return;
    }
    this.#waiting.set(record.id, record);
    this.#wake();
  }

  /** Resolves once every event committed before the call has been delivered. */
  async catchUp(): Promise<void> {
    if (this.#closed) return;
    const target = await this.#storage.getLastEventId();
    while (!this.#closed && this.#last < target) {
      this.#wake();
      await this.#reading;
    }
  }

  /** Stops polling and delivering; waits for a read in flight. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#reading;
    this.#waiting.clear();
    this.#listeners.clear();
  }

  #wake(): void {
    if (this.#closed) return;
    if (this.#reading !== undefined) {
      this.#again = true;
      return;
    }
    this.#reading = this.#read()
      .catch((err) => {
        if (!this.#closed) this.#onError(err);
      })
      .finally(() => {
        this.#reading = undefined;
        if (this.#again) {
          this.#again = false;
          this.#wake();
        }
      });
  }

  async #read(): Promise<void> {
    for (;;) {
      const page = await this.#storage.getEventsAfter(this.#last, { limit: 1000 });
      for (const record of page.records) {
        if (this.#closed) return;
        this.#waiting.delete(record.id);
        if (record.id > this.#last) this.#deliver(record);
      }
      if (page.nextCursor === undefined || page.records.length === 0) break;
    }
    // Offered events are committed before they are offered, so the read has covered them; any
    // left (only possible if the read raced a commit's visibility) go now, in order.
    for (const id of [...this.#waiting.keys()].sort((a, b) => a - b)) {
      const record = this.#waiting.get(id)!;
      this.#waiting.delete(id);
      if (record.id > this.#last) this.#deliver(record);
    }
  }

  #deliver(record: EventRecord): void {
    this.#last = record.id;
    for (const listener of this.#listeners) {
      try {
        listener(record);
      } catch (err) {
        this.#onError(err);
      }
    }
  }
}
