/**
 * The benchmark harness: each part returns figures measured in the same process run, and
 * bench/run.ts prints them side by side with their targets and ratios.
 */

/** One measured figure. */
export interface BenchFigure {
  /** What was measured, e.g. "definitions: 10,000 assets built and validated". */
  name: string;
  /** The measured value. */
  value: number;
  /** Unit of `value`: "ms", "µs", "ops/s", "ratio"... */
  unit: string;
  /** The target, in the same unit, when the issue sets one. */
  target?: number;
  /** Whether smaller (`max`) or larger (`min`) is better relative to the target. Default `max`. */
  targetKind?: 'max' | 'min';
  /** A comparison point, e.g. "Dagster: tens of ms per step". */
  note?: string;
}

/** Median of a list of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Runs `fn` `repeat` times after `warmup` runs and returns the median duration in ms. */
export async function timeMs(fn: () => unknown, repeat = 5, warmup = 1): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** Mean duration in µs of one call of `fn`, over `n` calls (after a warm-up of n/10). */
export function perOpMicros(fn: (i: number) => unknown, n: number): number {
  for (let i = 0; i < Math.max(1, n / 10); i++) fn(i);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  return ((performance.now() - t0) * 1000) / n;
}
