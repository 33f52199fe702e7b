import type { TickSequence } from './tick-sequence.js';

/**
 * Ticks every `stepMs` of absolute time: valid for "every N minutes" crons (and "every N hours" in
 * zones without DST) because the zone's offsets never change the phase of the ticks. O(1).
 */
export class AbsoluteTicks implements TickSequence {
  readonly kind = 'absolute' as const;
  private readonly anchor: number;
  private readonly stepMs: number;

  /** `phaseMs` is the residue of tick instants modulo `stepMs`. */
  constructor(startMs: number, stepMs: number, phaseMs: number) {
    this.stepMs = stepMs;
    const delta = (((phaseMs - startMs) % stepMs) + stepMs) % stepMs;
    this.anchor = startMs + delta;
  }

  at(k: number): number {
    return this.anchor + k * this.stepMs;
  }

  floorIndex(instant: number): number {
    if (instant < this.anchor) return -1;
    return Math.floor((instant - this.anchor) / this.stepMs);
  }
}
