import type { EventRecord } from '../storage/index.js';

/** A subscriber to committed events. */
export type EventListener = (record: EventRecord) => void;

/**
 * Fans committed events out to subscribers (the API's live streams later). A subscriber that
 * throws is reported and kept; it cannot break the append path or the other subscribers.
 */
export class EventHub {
  readonly #listeners = new Set<EventListener>();
  readonly #onError: (err: unknown) => void;

  constructor(onError: (err: unknown) => void) {
    this.#onError = onError;
  }

  /** Subscribes; returns the function that unsubscribes. */
  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Delivers committed events, in log order. */
  emit(records: readonly EventRecord[]): void {
    if (this.#listeners.size === 0) return;
    for (const record of records) {
      for (const listener of this.#listeners) {
        try {
          listener(record);
        } catch (err) {
          this.#onError(err);
        }
      }
    }
  }
}
