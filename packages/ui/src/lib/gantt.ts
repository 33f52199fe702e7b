import type { EventRecord } from '../api/api-types.js';

/** One bar of a run's step timeline. */
export interface GanttBar {
  stepKey: string;
  /** ms from the run's first event. */
  start: number;
  /** ms from the run's first event; null while running. */
  end: number | null;
  status: 'running' | 'success' | 'failed' | 'skipped';
}

/**
 * Step bars from a run's events: a step starts at `step_started` and ends at its last
 * materialization (success), `step_failed` or `step_skipped`; a step still open when the run
 * finished ends at `run_finished`.
 */
export function ganttBars(records: readonly EventRecord[]): { bars: GanttBar[]; spanMs: number } {
  const bars = new Map<string, GanttBar>();
  let t0: number | undefined;
  let last = 0;
  let finishedAt: number | undefined;
  for (const { event } of records) {
    const t = event.timestamp === undefined ? Number.NaN : Date.parse(event.timestamp);
    if (Number.isNaN(t)) continue;
    t0 ??= t;
    const at = t - t0;
    last = Math.max(last, at);
    const step = event.stepKey;
    if (event.type === 'run_finished') finishedAt = at;
    if (typeof step !== 'string') continue;
    let bar = bars.get(step);
    if (event.type === 'step_started' || bar === undefined) {
      if (bar === undefined) {
        bar = { stepKey: step, start: at, end: null, status: 'running' };
        bars.set(step, bar);
      }
    }
    if (event.type === 'materialization' || event.type === 'check_evaluation') {
      if (bar.status === 'running' || bar.status === 'success') {
        bar.end = at;
        bar.status = 'success';
      }
    } else if (event.type === 'step_failed') {
      bar.end = at;
      bar.status = 'failed';
    } else if (event.type === 'step_skipped') {
      bar.end = at;
      bar.status = 'skipped';
    }
  }
  if (finishedAt !== undefined)
    for (const b of bars.values()) if (b.end === null) b.end = finishedAt;
  return { bars: [...bars.values()], spanMs: Math.max(1, finishedAt ?? last) };
}
