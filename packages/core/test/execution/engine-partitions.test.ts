import { describe, expect, it } from 'vitest';
import { asset } from '../../src/asset.js';
import { definitions } from '../../src/definitions.js';
import { executePlan } from '../../src/execution/engine.js';
import type { RunEvent } from '../../src/execution/events.js';
import { materialize } from '../../src/execution/materialize.js';
import { buildPlan } from '../../src/execution/plan.js';
import { memoryIOManager } from '../../src/io/memory-io-manager.js';
import { customMapping } from '../../src/mappings/index.js';
import { eventsOf, testPartitions } from './fixtures.js';

const hours = testPartitions(['d1-h1', 'd1-h2', 'd2-h1']);
const days = testPartitions(['d1', 'd2']);
const hoursOfDay = customMapping({
  cardinality: 'many',
  upstreamKeys: (day, { upstream }) => upstream.keys().filter((h) => h.startsWith(`${day}-`)),
  downstreamKeys: (hour) => hour.slice(0, 2),
});

describe('partitioned execution', () => {
  const hourly = asset({ key: 'hourly', partitions: hours, codeVersion: '1' }, (_, ctx) =>
    ctx.partitionKey!.toUpperCase(),
  );
  const daily = asset(
    { key: 'daily', partitions: days, deps: { hourly: { asset: hourly, mapping: hoursOfDay } } },
    ({ hourly }, ctx) => ({ day: ctx.partitionKey, hours: Object.fromEntries(hourly) }),
  );
  const defs = definitions({ assets: [hourly, daily] });

  it("passes a Map of upstream partition → value for 'many' mappings", async () => {
    const run = await materialize(defs, { partitionKey: 'd1' });
    expect(run.success).toBe(true);
    expect(run.values.get('daily', 'd1')).toEqual({
      day: 'd1',
      hours: { 'd1-h1': 'D1-H1', 'd1-h2': 'D1-H2' },
    });
    const m = run.materializations.find((x) => x.assetKey === 'daily')!;
    expect(m.partitionKey).toBe('d1');
    expect(m.stepKey).toBe('daily[d1]');
    expect(Object.keys(m.inputDataVersions)).toEqual(['hourly[d1-h1]', 'hourly[d1-h2]']);
    expect(m.inputDataVersions['hourly[d1-h1]']).toBe(
      run.materializations.find((x) => x.partitionKey === 'd1-h1')!.dataVersion,
    );
  });

  it('records in inputDataVersions exactly the upstream partitions read', async () => {
    const first = await materialize(defs, { partitionKey: 'd2' });
    expect(first.materializations.map((x) => x.stepKey)).toEqual(['hourly[d2-h1]', 'daily[d2]']);
    expect(Object.keys(first.materializations[1]!.inputDataVersions)).toEqual(['hourly[d2-h1]']);
  });

  it('gives each partition step its own partitionKey in the context', async () => {
    const seen: (string | undefined)[] = [];
    const p = asset({ key: 'p', partitions: days }, (_, ctx) => {
      seen.push(ctx.partitionKey);
      return ctx.partitionDimensions;
    });
    const run = await materialize(definitions({ assets: [p] }), {
      partitionRange: { from: 'd1', to: 'd2' },
      maxConcurrency: 1,
    });
    expect(seen).toEqual(['d1', 'd2']);
    expect(run.values.get('p', 'd2')).toBeUndefined();
    expect(eventsOf(run.events, 'step_started').map((s) => s.partitionKey)).toEqual(['d1', 'd2']);
  });
});

describe('executePlan: re-execution', () => {
  it('reuses stored outputs of reuse steps and skips what depends on skipped steps', async () => {
    const io = memoryIOManager();
    const calls: string[] = [];
    const a = asset({ key: 'a' }, () => {
      calls.push('a');
      return 1;
    });
    const b = asset({ key: 'b', deps: { a } }, ({ a }) => {
      calls.push('b');
      return a + 1;
    });
    const c = asset({ key: 'c' }, () => {
      calls.push('c');
      return 0;
    });
    const d = asset({ key: 'd', deps: { c } }, () => {
      calls.push('d');
      return 0;
    });
    const defs = definitions({ assets: [a, b, c, d], ioManagers: { default: io } });
    io.store({ assetKey: 'a', partitionKey: undefined, runId: 'old' }, 41);
    const events: RunEvent[] = [];
    const result = await executePlan(defs, buildPlan(defs, { reuse: ['a'], skip: ['c'] }), {
      runId: 'rerun',
      onEvent: (e) => events.push(e),
    });
    expect(calls).toEqual(['b']);
    expect(io.load({ assetKey: 'b', partitionKey: undefined, runId: 'x' })).toBe(42);
    expect(result.steps).toEqual({ a: 'reused', b: 'succeeded', c: 'skipped', d: 'skipped' });
    expect(result.success).toBe(true);
    expect(result.counts.reused).toBe(1);
    expect(eventsOf(events, 'step_skipped').map((s) => [s.stepKey, s.reason])).toEqual([
      ['c', 'skipped on request (re-execution)'],
      ['d', 'upstream step "c" was skipped on request'],
    ]);
  });

  it('rethrows a throwing event listener after the run, without failing steps', async () => {
    const a = asset({ key: 'a' }, () => 1);
    const defs = definitions({ assets: [a] });
    await expect(
      executePlan(defs, buildPlan(defs), {
        runId: 'r',
        onEvent: () => {
          throw new Error('listener broke');
        },
      }),
    ).rejects.toThrow('listener broke');
  });
});

describe('executePlan: stale plans', () => {
  it('rejects a plan naming assets or checks the definitions do not have, before starting', async () => {
    const a = asset({ key: 'a' }, () => 1);
    const defs = definitions({ assets: [a] });
    const plan = buildPlan(defs);
    const events: RunEvent[] = [];
    const stale = { ...plan, steps: [{ ...plan.steps[0]!, checkIds: ['a:gone'] }] };
    await expect(
      executePlan(defs, stale, { runId: 'r', onEvent: (e) => events.push(e) }),
    ).rejects.toThrow('The plan names check "a:gone"');
    await expect(executePlan(defs, { ...plan, version: 2 as 1 }, { runId: 'r' })).rejects.toThrow(
      /version 2/,
    );
    expect(events).toEqual([]);
  });
});
