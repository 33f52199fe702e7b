import type { CliIo } from './cli-context.js';

// 30 cells keep the bar plus its counts inside an 80-column terminal.
const WIDTH = 30;
// Below this many items, plain (non-terminal) output prints no progress lines at all.
const PLAIN_MIN_TOTAL = 20;

/**
 * Progress of long work: a bar redrawn in place when stdout is a terminal, plain lines at most
 * every 10% otherwise (CI logs stay short and readable). Hand-written: no dependency needed.
 */
export class Progress {
  #lastTenth = -1;

  constructor(
    private readonly io: CliIo,
    private readonly label: string,
  ) {}

  /** Reports `done` of `total`. */
  update(done: number, total: number): void {
    const ratio = total === 0 ? 1 : Math.min(1, done / total);
    if (this.io.isTTY === true && this.io.status !== undefined) {
      const filled = Math.round(ratio * WIDTH);
      this.io.status(
        `${this.label} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${done}/${total}`,
      );
      if (done >= total) this.io.out('');
      return;
    }
    // Short work needs no progress in a log: the summary follows at once.
    if (total < PLAIN_MIN_TOTAL) return;
    const tenth = Math.floor(ratio * 10);
    if (tenth === this.#lastTenth) return;
    this.#lastTenth = tenth;
    this.io.out(`${this.label}: ${done}/${total} (${Math.round(ratio * 100)}%)`);
  }
}
