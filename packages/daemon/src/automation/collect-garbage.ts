import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined;

/**
 * Above this many materialized partitions a full collection follows the start-up load and the
 * first staleness pass: below it what they leave is small enough for V8 to collect in its time.
 */
export const LARGE_STATE = 100_000;

/**
 * Runs one full garbage collection now. Loading a large stored state leaves hundreds of MB of
 * short-lived objects behind; V8 sizes its next heap limit from the live size after a collection,
 * so collecting right after the load keeps the daemon's heap near its live size instead of letting
 * it grow to twice the garbage-inflated one. Uses V8's `gc` function, exposed once for this
 * purpose; a no-op if the runtime refuses.
 */
export function collectGarbage(): void {
  try {
    if (gc === undefined) {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    }
    gc();
  } catch {
    // Not exposed here (another embedder, a locked-down runtime): nothing to do.
  }
}

/**
 * Bounds the heap of a long batch (the start-up load and first staleness pass over ~1,000,000
 * partitions). Such a batch keeps each chunk's bookkeeping alive across a few young-generation
 * collections, so V8 promotes it to the old generation, where it stays until the heap reaches
 * V8's next limit, about 2.5 times the live size: 170 MB of dead chunks on top of a 100 MB heap at
 * 1,000,000 partitions. `check()`, called between chunks, collects once the heap has grown
 * `slackBytes` (24 MB) past its size after the previous collection, which keeps the peak near the
 * live size plus the slack. The collections (~50 ms each) cost no measurable start-up time at
 * 1,000,000 partitions (27-29 s with them, 27-35 s without). A small batch never grows the heap
 * that much, so it never collects.
 */
export class HeapBudget {
  readonly #slack: number;
  #floor: number;
  /** Full collections this budget ran. */
  collections = 0;

  constructor(slackBytes = 24 * 1024 * 1024) {
    this.#slack = slackBytes;
    this.#floor = getHeapStatistics().used_heap_size;
  }

  /** Collects if the heap outgrew the budget since the last collection. Cheap otherwise. */
  check(): void {
    if (getHeapStatistics().used_heap_size <= this.#floor + this.#slack) return;
    collectGarbage();
    this.collections++;
    this.#floor = getHeapStatistics().used_heap_size;
  }
}
