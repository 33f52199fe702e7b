/**
 * Lets the event loop run once a slice of synchronous work has lasted `sliceMs`: SQLite calls
 * through kysely resolve as microtasks, so a loop of awaited writes never yields on its own, and
 * a tick writing 1,000 evaluations would keep API requests waiting until it is done.
 */
export class TimeSlicer {
  readonly #sliceMs: number;
  #start = performance.now();

  constructor(sliceMs: number) {
    this.#sliceMs = sliceMs;
  }

  /** Yields to the event loop (`setImmediate`) when the current slice is used up. */
  async maybeYield(): Promise<void> {
    if (performance.now() - this.#start < this.#sliceMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.#start = performance.now();
  }
}
