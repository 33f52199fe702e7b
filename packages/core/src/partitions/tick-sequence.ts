/**
 * A tick sequence is the ordered list of window boundaries of a time-window definition: tick `k`
 * is the start of window `k` and the end of window `k - 1`. Tick 0 is the first tick at or after the
 * definition's start. Engines: absolute-time arithmetic, local-calendar arithmetic, or iteration.
 */
export interface TickSequence {
  /** How the ticks are computed: `absolute`/`calendar` are O(1) arithmetic, `iterated` is cached iteration. */
  readonly kind: 'absolute' | 'calendar' | 'iterated';
  /** The instant (epoch ms) of tick `k`, for `k >= 0`. */
  at(k: number): number;
  /** The index of the last tick at or before `instant` (the window containing it), or -1 before tick 0. */
  floorIndex(instant: number): number;
}

/** The index of the first tick at or after `instant` (0 when `instant` is before tick 0). */
export function ceilIndex(ticks: TickSequence, instant: number): number {
  const k = ticks.floorIndex(instant);
  if (k < 0) return 0;
  return ticks.at(k) === instant ? k : k + 1;
}
