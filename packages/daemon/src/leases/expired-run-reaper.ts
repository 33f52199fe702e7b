/** What the reaper needs of the run coordinator. */
export interface ExpiredRunRecoverer {
  recoverExpired(expireMs: number): Promise<string[]>;
}

/** Options of an `ExpiredRunReaper`. */
export interface ExpiredRunReaperOptions {
  coordinator: ExpiredRunRecoverer;
  /** Milliseconds between passes. */
  intervalMs: number;
  /** A started run whose heartbeat is older than this is recovered. */
  expireMs: number;
  onError: (err: unknown) => void;
}

/**
 * The leader's loop that recovers runs whose worker died: every `intervalMs` it fails (or
 * requeues, per `maxRetries`) the started runs whose claim has not heartbeaten for `expireMs`.
 */
export class ExpiredRunReaper {
  readonly #options: ExpiredRunReaperOptions;
  #timer: NodeJS.Timeout | undefined;
  #pass: Promise<unknown> | undefined;

  constructor(options: ExpiredRunReaperOptions) {
    this.#options = options;
  }

  /** Starts the loop (idempotent). */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      if (this.#pass !== undefined) return;
      this.#pass = this.#options.coordinator
        .recoverExpired(this.#options.expireMs)
        .catch((err) => this.#options.onError(err))
        .finally(() => {
          this.#pass = undefined;
        });
    }, this.#options.intervalMs);
    this.#timer.unref();
  }

  /** Stops the loop and waits for a pass in flight. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#pass;
  }
}
