import { describe, expect, it } from 'vitest';
import { findPartitionIndex, materializePlan } from '../src/lib/materialize-plan.js';

describe('materializePlan', () => {
  it('launches one run for one key', () => {
    expect(materializePlan(['a'], { mode: 'key', key: '2024-01-02' })).toEqual({
      runs: 1,
      target: 'runs',
      body: { selection: ['a'], partitions: { keys: ['2024-01-02'] } },
    });
  });

  it('counts one run per partition of a range and blocks an empty one', () => {
    const plan = materializePlan(['a'], {
      mode: 'range',
      from: '2024-01-01',
      to: '2024-01-31',
      count: 31,
    });
    expect(plan.runs).toBe(31);
    expect(plan.body).toEqual({
      selection: ['a'],
      partitions: { range: { from: '2024-01-01', to: '2024-01-31' } },
    });
    expect(materializePlan(['a'], { mode: 'range', from: 'b', to: 'a', count: 0 }).blocked).toMatch(
      /No partitions/,
    );
    expect(
      materializePlan(['a'], { mode: 'range', from: '', to: 'a', count: null }).blocked,
    ).toMatch(/first and the last/);
  });

  it('sends missing and failed to the backfills route, resolved by the daemon', () => {
    const plan = materializePlan(['a', 'b'], { mode: 'missing', count: 1200 });
    expect(plan).toEqual({
      runs: 1200,
      target: 'backfills',
      body: { selection: ['a', 'b'], partitions: { missing: true } },
    });
    expect(materializePlan(['a'], { mode: 'failed', count: 0 }).blocked).toBe(
      'No failed partitions.',
    );
  });

  it('lists stale keys explicitly', () => {
    const plan = materializePlan(['a'], { mode: 'stale', keys: ['x', 'y'] });
    expect(plan.runs).toBe(2);
    expect(plan.body).toEqual({ selection: ['a'], partitions: { keys: ['x', 'y'] } });
  });

  it('launches an unpartitioned asset as one run without partitions', () => {
    expect(materializePlan(['a'], { mode: 'whole' })).toEqual({
      runs: 1,
      target: 'runs',
      body: { selection: ['a'] },
    });
  });
});

describe('findPartitionIndex', () => {
  const days = Array.from({ length: 1000 }, (_, i) =>
    new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10),
  );
  it('finds a key by binary search in about log2(n) probes', async () => {
    let probes = 0;
    const keyAt = async (i: number) => {
      probes++;
      return days[i] ?? null;
    };
    expect(await findPartitionIndex('2024-02-01', days.length, keyAt)).toBe(31);
    expect(probes).toBeLessThanOrEqual(11);
    expect(await findPartitionIndex(days[999]!, days.length, keyAt)).toBe(999);
    expect(await findPartitionIndex('2023-12-31', days.length, keyAt)).toBe(-1);
    expect(await findPartitionIndex('2024-02-01x', days.length, keyAt)).toBe(-1);
  });
});
