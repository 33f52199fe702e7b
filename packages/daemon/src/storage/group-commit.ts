import { DaemonError } from '../errors.js';
import type { EventWriter } from './event-writer.js';
import type { StoredEvent } from './stored-event.js';

/**
 * Group commit: appends made in the same macrotask (and any made while a write is in flight)
 * are committed together in one transaction, because a commit (a WAL append, plus an fsync with
 * synchronous=FULL) costs far more than an insert. A batch is flushed on the next macrotask
 * (`setImmediate`), or at once when it reaches `maxBatchSize` events. One append is never split
 * across transactions: its events commit together or not at all.
 */

interface PendingAppend {
  events: readonly StoredEvent[];
  resolve(ids: number[]): void;
  reject(err: unknown): void;
}

/** Called after each commit with the committed events (to update in-memory caches). */
export type OnCommitted = (events: readonly StoredEvent[]) => void;

/** Batches appends into group commits in front of one `EventWriter`. */
export class GroupCommitter {
  readonly #writer: EventWriter;
  readonly #maxBatchSize: number;
  readonly #onCommitted: OnCommitted;
  #pending: PendingAppend[] = [];
  #pendingEvents = 0;
  #scheduled = false;
  #running = false;
  #current: Promise<void> = Promise.resolve();

  constructor(writer: EventWriter, maxBatchSize: number, onCommitted: OnCommitted) {
    this.#writer = writer;
    this.#maxBatchSize = maxBatchSize;
    this.#onCommitted = onCommitted;
  }

  /** Queues `events` for the next group commit; resolves with their ids once committed. */
  append(events: readonly StoredEvent[]): Promise<number[]> {
    return new Promise<number[]>((resolve, reject) => {
      this.#pending.push({ events, resolve, reject });
      this.#pendingEvents += events.length;
      if (this.#pendingEvents >= this.#maxBatchSize) void this.#drain(true);
      else this.#schedule();
    });
  }

  /** Commits everything queued so far; resolves when done (failed appends reject their own promise). */
  async flush(): Promise<void> {
    while (this.#pending.length > 0 || this.#running) {
      await (this.#running ? this.#current : this.#drain(false));
    }
  }

  /** The number of events queued and not yet committed. */
  get pendingEvents(): number {
    return this.#pendingEvents;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#drain(false);
    });
  }

  /** Starts writing unless a write is in flight (whose loop will pick the new appends up). */
  #drain(onlyFullBatches: boolean): Promise<void> {
    if (!this.#running) this.#current = this.#run(onlyFullBatches);
    return this.#current;
  }

  /**
   * Writes batches while there are appends (or, when called because the size limit was reached,
   * while full batches remain: the rest waits for the macrotask flush to gather more). With a
   * synchronous writer this runs start to end without yielding, so `#running` is already false
   * when the call returns and the next append of the same tick can start its own batch.
   */
  async #run(onlyFullBatches: boolean): Promise<void> {
    this.#running = true;
    try {
      while (
        this.#pending.length > 0 &&
        (!onlyFullBatches || this.#pendingEvents >= this.#maxBatchSize)
      ) {
        const batch = this.#takeBatch();
        const events = batch.length === 1 ? batch[0]!.events : batch.flatMap((p) => p.events);
        try {
          const result = this.#writer.writeBatch(events);
          // SQLite's writer is synchronous: only an async (Postgres) writer costs an await here.
          const ids = Array.isArray(result) ? result : await result;
          this.#settle(batch, events, ids);
        } catch (err) {
          if (batch.length === 1) {
            batch[0]!.reject(err);
            continue;
          }
          // One bad append must not fail the unrelated appends it was batched with: retry each
          // on its own, in order, so only the culprit (or every one, if the disk is full) fails.
          for (const p of batch) {
            try {
              const result = this.#writer.writeBatch(p.events);
              this.#settle([p], p.events, Array.isArray(result) ? result : await result);
            } catch (single) {
              p.reject(single);
            }
          }
        }
      }
    } finally {
      this.#running = false;
      if (this.#pending.length > 0) this.#schedule();
    }
  }

  #takeBatch(): PendingAppend[] {
    let count = 0;
    let n = 0;
    while (n < this.#pending.length) {
      const size = this.#pending[n]!.events.length;
      if (n > 0 && count + size > this.#maxBatchSize) break;
      count += size;
      n++;
    }
    this.#pendingEvents -= count;
    return this.#pending.splice(0, n);
  }

  #settle(batch: PendingAppend[], events: readonly StoredEvent[], ids: readonly number[]): void {
    try {
      this.#onCommitted(events);
    } catch {
      // A cache listener must not turn a committed write into a rejected promise.
    }
    let offset = 0;
    for (const p of batch) {
      p.resolve(ids.slice(offset, offset + p.events.length) as number[]);
      offset += p.events.length;
    }
  }
}

/** The error of an append made after `close()`. */
export function closedError(where: string): DaemonError {
  return new DaemonError(
    'CAIRN_STORAGE_CLOSED',
    `The storage of ${where} is closed; nothing was appended. Open it again with openStorage() before appending.`,
    { where },
  );
}
