import { describe, expect, it } from 'vitest';
import { asset } from '../../src/asset.js';
import { definitions } from '../../src/definitions.js';
import { manualClock } from '../../src/execution/manual-clock.js';
import { materialize } from '../../src/execution/materialize.js';
import { buildPlan } from '../../src/execution/plan.js';
import { timeWindowMapping } from '../../src/mappings/index.js';
import {
  dailyPartitions,
  hourlyPartitions,
  multiPartitions,
  staticPartitions,
} from '../../src/partitions/index.js';

const now = new Date('2024-02-01T00:00:00Z');
const hourly = hourlyPartitions({ start: '2024-01-01-00:00' });
const daily = dailyPartitions({ start: '2024-01-01' });

describe('time-window partitions', () => {
  const events = asset({ key: 'events', partitions: hourly }, (_, ctx) => ({
    hour: ctx.partitionKey,
    start: ctx.partitionTimeWindow?.start.toISOString(),
  }));
  const perDay = asset(
    {
      key: 'per_day',
      partitions: daily,
      deps: { events: { asset: events, mapping: timeWindowMapping() } },
    },
    ({ events }, ctx) => ({
      n: events.size,
      first: [...events.keys()][0],
      window: [
        ctx.partitionTimeWindow?.start.toISOString(),
        ctx.partitionTimeWindow?.end.toISOString(),
      ],
    }),
  );
  const defs = definitions({ assets: [events, perDay] });

  it('runs the 24 hours of a requested day upstream of a daily asset', () => {
    const plan = buildPlan(defs, { partitionKey: '2024-01-02', now });
    expect(plan.steps).toHaveLength(25);
    expect(plan.steps[0]!.key).toBe('events[2024-01-02-00:00]');
    expect(plan.steps[23]!.key).toBe('events[2024-01-02-23:00]');
    expect(plan.steps[24]!.key).toBe('per_day[2024-01-02]');
    expect(plan.steps[24]!.deps).toHaveLength(24);
  });

  it('gives the context its time window and the daily asset a Map of 24 hours', async () => {
    const run = await materialize(defs, { partitionKey: '2024-01-02', clock: manualClock(now) });
    expect(run.success).toBe(true);
    expect(run.values.get('events', '2024-01-02-05:00')).toEqual({
      hour: '2024-01-02-05:00',
      start: '2024-01-02T05:00:00.000Z',
    });
    expect(run.values.get('per_day', '2024-01-02')).toEqual({
      n: 24,
      first: '2024-01-02-00:00',
      window: ['2024-01-02T00:00:00.000Z', '2024-01-03T00:00:00.000Z'],
    });
    const m = run.materializations.at(-1)!;
    expect(Object.keys(m.inputDataVersions)).toHaveLength(24);
    expect(m.inputDataVersions['events[2024-01-02-23:00]']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('gives a multi-partitioned asset its dimensions and the time dimension window', async () => {
    const parts = multiPartitions({ date: daily, region: staticPartitions(['eu', 'us']) });
    const key = parts.join({ date: '2024-01-03', region: 'us' });
    const a = asset({ key: 'by_region', partitions: parts }, (_, ctx) => ({
      dims: ctx.partitionDimensions,
      start: ctx.partitionTimeWindow?.start.toISOString(),
    }));
    const run = await materialize(definitions({ assets: [a] }), {
      partitionKey: key,
      clock: manualClock(now),
    });
    expect(run.values.get('by_region', key)).toEqual({
      dims: { date: '2024-01-03', region: 'us' },
      start: '2024-01-03T00:00:00.000Z',
    });
  });
});

describe('self-dependent assets', () => {
  it('wait for their earlier partitions in the same plan and read them', async () => {
    const running = asset(
      {
        key: 'running',
        partitions: daily,
        deps: {
          prev: {
            asset: 'running',
            mapping: timeWindowMapping({ startOffset: -1, endOffset: -1 }),
          },
        },
      },
      ({ prev }) => {
        const before = [...(prev as Map<string, number>).values()][0] ?? 0;
        return before + 1;
      },
    );
    const defs = definitions({ assets: [running] });
    const range = { from: '2024-01-01', to: '2024-01-03' };
    const plan = buildPlan(defs, { partitionRange: range, now });
    expect(plan.steps.map((s) => [s.key, s.deps])).toEqual([
      ['running[2024-01-01]', []],
      ['running[2024-01-02]', ['running[2024-01-01]']],
      ['running[2024-01-03]', ['running[2024-01-02]']],
    ]);
    const run = await materialize(defs, { partitionRange: range, clock: manualClock(now) });
    expect(run.values.get('running', '2024-01-03')).toBe(3);
  });
});
