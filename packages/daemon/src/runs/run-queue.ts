import type { SlotHolder } from './concurrency-limits.js';

/** A run waiting in the queue, with what the dispatcher needs to order it and start it. */
export interface QueuedRun extends SlotHolder {
  runId: string;
  /** Sequence id of its run_queued event: submission order. */
  seq: number;
  priority: number;
}

/**
 * The queued runs in dispatch order: priority descending, then submission order. Kept sorted on
 * insert (binary search), so a dispatch pass reads from the front and usually takes the first run.
 */
export class RunQueue<T extends QueuedRun = QueuedRun> {
  readonly #items: T[] = [];
  readonly #ids = new Set<string>();

  /** Number of queued runs. */
  get size(): number {
    return this.#items.length;
  }

  /** True when the run is queued. */
  has(runId: string): boolean {
    return this.#ids.has(runId);
  }

  /** Adds a run at its place in the order (a run already queued is ignored). */
  insert(run: T): void {
    if (this.#ids.has(run.runId)) return;
    let lo = 0;
    let hi = this.#items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(this.#items[mid]!, run)) lo = mid + 1;
      else hi = mid;
    }
    this.#items.splice(lo, 0, run);
    this.#ids.add(run.runId);
  }

  /** The run at `index` in dispatch order. */
  at(index: number): T | undefined {
    return this.#items[index];
  }

  /** A copy of the queued runs in dispatch order (safe to iterate while the queue changes). */
  snapshot(): T[] {
    return [...this.#items];
  }

  /** Removes and returns the run at `index`. */
  takeAt(index: number): T | undefined {
    const [run] = this.#items.splice(index, 1);
    if (run !== undefined) this.#ids.delete(run.runId);
    return run;
  }

  /** Removes a run by id; returns it when it was queued. */
  remove(runId: string): T | undefined {
    if (!this.#ids.has(runId)) return undefined;
    const index = this.#items.findIndex((r) => r.runId === runId);
    return this.takeAt(index);
  }
}

function before(a: QueuedRun, b: QueuedRun): boolean {
  return a.priority !== b.priority ? a.priority > b.priority : a.seq < b.seq;
}
