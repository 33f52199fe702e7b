import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../src/api/api-types.js';
import { ganttBars } from '../src/lib/gantt.js';

const at = (ms: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, 0, ms)).toISOString();
let id = 0;
const ev = (type: string, ms: number, extra: Record<string, unknown> = {}): EventRecord => ({
  id: ++id,
  event: { type, timestamp: at(ms), runId: 'r', ...extra },
});

describe('ganttBars', () => {
  it('builds a bar per step from start to its outcome', () => {
    const { bars, spanMs } = ganttBars([
      ev('run_started', 0),
      ev('step_started', 10, { stepKey: 'a' }),
      ev('materialization', 110, { stepKey: 'a' }),
      ev('step_started', 120, { stepKey: 'b' }),
      ev('step_failed', 300, { stepKey: 'b' }),
      ev('step_skipped', 300, { stepKey: 'c' }),
      ev('run_finished', 310),
    ]);
    expect(bars).toEqual([
      { stepKey: 'a', start: 10, end: 110, status: 'success' },
      { stepKey: 'b', start: 120, end: 300, status: 'failed' },
      { stepKey: 'c', start: 300, end: 300, status: 'skipped' },
    ]);
    expect(spanMs).toBe(310);
  });

  it('leaves a running step open until the run finishes', () => {
    const open = ganttBars([ev('run_started', 0), ev('step_started', 5, { stepKey: 'a' })]);
    expect(open.bars[0]).toEqual({ stepKey: 'a', start: 5, end: null, status: 'running' });
    const closed = ganttBars([
      ev('run_started', 0),
      ev('step_started', 5, { stepKey: 'a' }),
      ev('run_finished', 50),
    ]);
    expect(closed.bars[0]!.end).toBe(50);
  });
});
