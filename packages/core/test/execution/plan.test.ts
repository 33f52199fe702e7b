import { describe, expect, it } from 'vitest';
import { asset } from '../../src/asset.js';
import { assetCheck } from '../../src/checks/asset-check.js';
import { definitions } from '../../src/definitions.js';
import { isCairnError } from '../../src/errors.js';
import { buildPlan } from '../../src/execution/plan.js';
import { allMapping, customMapping } from '../../src/mappings/index.js';
import { multiAsset } from '../../src/multi-asset.js';
import { testPartitions } from './fixtures.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isCairnError(err) ? err.code : String(err);
  }
  return undefined;
}
function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  return '';
}

// "Hours" upstream of "days": each day reads the hours that start with it.
const hours = testPartitions(['d1-h1', 'd1-h2', 'd2-h1', 'd2-h2']);
const days = testPartitions(['d1', 'd2']);
const hoursOfDay = customMapping({
  cardinality: 'many',
  name: 'hoursOfDay',
  upstreamKeys: (day, { upstream }) => upstream.keys().filter((h) => h.startsWith(`${day}-`)),
  downstreamKeys: (hour) => hour.slice(0, 2),
});
const hourly = asset({ key: 'hourly', partitions: hours }, (_, ctx) => ctx.partitionKey);
const daily = asset(
  { key: 'daily', partitions: days, deps: { hourly: { asset: hourly, mapping: hoursOfDay } } },
  ({ hourly }) => [...hourly.values()].join(','),
);

describe('buildPlan: unpartitioned', () => {
  const a = asset({ key: 'a' }, () => 1);
  const b = asset({ key: 'b', deps: { a } }, ({ a }) => a);
  const c = asset({ key: 'c', deps: [a, b] }, () => 3);
  const check = assetCheck({ asset: b, name: 'positive' }, () => ({ passed: true }));
  const defs = definitions({ assets: [c, b, a], checks: [check] });

  it('lists one step per asset in topological order with deps, inputs and checks', () => {
    const plan = buildPlan(defs);
    expect(plan).toEqual({
      version: 1,
      assetKeys: ['a', 'b', 'c'],
      steps: [
        { key: 'a', node: 'a', assetKeys: ['a'], deps: [], inputs: [], checkIds: [], mode: 'run' },
        {
          key: 'b',
          node: 'b',
          assetKeys: ['b'],
          deps: ['a'],
          inputs: [{ assetKey: 'a', inputName: 'a', partitionKeys: null, many: false }],
          checkIds: ['b:positive'],
          mode: 'run',
        },
        {
          key: 'c',
          node: 'c',
          assetKeys: ['c'],
          deps: ['a', 'b'],
          inputs: [
            { assetKey: 'a', partitionKeys: null, many: false },
            { assetKey: 'b', partitionKeys: null, many: false },
          ],
          checkIds: [],
          mode: 'run',
        },
      ],
    });
  });

  it('is plain JSON', () => {
    const plan = buildPlan(defs, { selection: 'b+' });
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
    expect(plan.steps.map((s) => s.key)).toEqual(['b', 'c']);
    // "a" is not in the plan, so "b" waits for nothing; it still reads "a".
    expect(plan.steps[0]!.deps).toEqual([]);
    expect(plan.steps[1]!.deps).toEqual(['b']);
  });

  it('accepts exact keys, and marks reuse/skip steps', () => {
    const plan = buildPlan(defs, { selection: ['c', 'a', 'b'], reuse: ['a'], skip: ['b'] });
    expect(plan.steps.map((s) => [s.key, s.mode])).toEqual([
      ['a', 'reuse'],
      ['b', 'skip'],
      ['c', 'run'],
    ]);
    expect(codeOf(() => buildPlan(defs, { reuse: ['nope'] }))).toBe('CAIRN_INVALID_OPTIONS');
    expect(codeOf(() => buildPlan(defs, { selection: ['zz'] }))).toBe('CAIRN_UNKNOWN_ASSET');
  });

  it('rejects a partition key when nothing selected is partitioned', () => {
    expect(codeOf(() => buildPlan(defs, { partitionKey: 'x' }))).toBe('CAIRN_UNKNOWN_PARTITION');
    expect(messageOf(() => buildPlan(defs, { partitionKey: 'x' }))).toContain(
      'none of the selected assets',
    );
  });

  it('rejects more than one way of giving partitions', () => {
    expect(codeOf(() => buildPlan(defs, { partitionKey: 'x', partitionKeys: ['y'] }))).toBe(
      'CAIRN_INVALID_OPTIONS',
    );
  });
});

describe('buildPlan: multi-assets', () => {
  it('makes one step for all selected outputs of a multi-asset', () => {
    const up = asset({ key: 'up' }, () => 1);
    const { x, y } = multiAsset(
      { outs: { x: { key: 'x' }, y: { key: 'y' } }, deps: { up } },
      () => ({
        x: 1,
        y: 2,
      }),
    );
    const z = asset({ key: 'z', deps: { x, y } }, () => 3);
    const plan = buildPlan(definitions({ assets: [up, x, y, z] }));
    expect(plan.steps.map((s) => [s.key, s.assetKeys, s.deps])).toEqual([
      ['up', ['up'], []],
      ['multi:x,y', ['x', 'y'], ['up']],
      ['z', ['z'], ['multi:x,y']],
    ]);
  });
});

describe('buildPlan: partitions', () => {
  const p = testPartitions(['x', 'y', 'z']);
  const a = asset({ key: 'a', partitions: p }, () => 1);
  const b = asset({ key: 'b', partitions: p, deps: { a } }, ({ a }) => a);
  const total = asset({ key: 'total', deps: { a: { asset: a, mapping: allMapping() } } }, () => 0);

  it('runs the requested key for assets that have it, with identity deps', () => {
    const plan = buildPlan(definitions({ assets: [a, b] }), { partitionKey: 'y' });
    expect(plan.steps.map((s) => [s.key, s.partitionKey, s.deps])).toEqual([
      ['a[y]', 'y', []],
      ['b[y]', 'y', ['a[y]']],
    ]);
    expect(plan.steps[1]!.inputs).toEqual([
      { assetKey: 'a', inputName: 'a', partitionKeys: ['y'], many: false },
    ]);
  });

  it('runs a range and several keys', () => {
    const defs = definitions({ assets: [a, b] });
    const range = buildPlan(defs, { selection: 'a', partitionRange: { from: 'x', to: 'z' } });
    expect(range.steps.map((s) => s.key)).toEqual(['a[x]', 'a[y]', 'a[z]']);
    const keys = buildPlan(defs, { selection: 'a', partitionKeys: ['z', 'x'] });
    expect(keys.steps.map((s) => s.key)).toEqual(['a[z]', 'a[x]']);
    expect(codeOf(() => buildPlan(defs, { partitionRange: { from: 'z', to: 'x' } }))).toBe(
      'CAIRN_INVALID_PARTITION_RANGE',
    );
  });

  it('runs an unpartitioned downstream once, reading every upstream partition', () => {
    const plan = buildPlan(definitions({ assets: [a, total] }), { partitionKey: 'x' });
    expect(plan.steps.map((s) => [s.key, s.deps])).toEqual([
      ['a[x]', []],
      ['total', ['a[x]']],
    ]);
    expect(plan.steps[1]!.inputs).toEqual([
      { assetKey: 'a', inputName: 'a', partitionKeys: ['x', 'y', 'z'], many: true },
    ]);
  });

  it('throws CAIRN_PARTITION_REQUIRED naming the partitioned asset when no key is given', () => {
    const defs = definitions({ assets: [a, b] });
    expect(codeOf(() => buildPlan(defs))).toBe('CAIRN_PARTITION_REQUIRED');
    expect(messageOf(() => buildPlan(defs))).toContain('Asset "a" is partitioned');
  });

  it('throws CAIRN_UNKNOWN_PARTITION for a key that is no partition', () => {
    const defs = definitions({ assets: [a, b] });
    expect(codeOf(() => buildPlan(defs, { partitionKey: 'w' }))).toBe('CAIRN_UNKNOWN_PARTITION');
    expect(messageOf(() => buildPlan(defs, { partitionKey: 'w' }))).toContain('"w"');
  });

  it('throws CAIRN_UNKNOWN_PARTITION naming a selected asset the key cannot reach', () => {
    const other = asset({ key: 'other', partitions: testPartitions(['q']) }, () => 1);
    const defs = definitions({ assets: [a, other] });
    expect(codeOf(() => buildPlan(defs, { partitionKey: 'x' }))).toBe('CAIRN_UNKNOWN_PARTITION');
    expect(messageOf(() => buildPlan(defs, { partitionKey: 'x' }))).toContain('asset "other"');
  });

  it('derives the upstream keys of a finer-grained upstream from the downstream key', () => {
    const plan = buildPlan(definitions({ assets: [hourly, daily] }), { partitionKey: 'd1' });
    expect(plan.steps.map((s) => [s.key, s.deps])).toEqual([
      ['hourly[d1-h1]', []],
      ['hourly[d1-h2]', []],
      ['daily[d1]', ['hourly[d1-h1]', 'hourly[d1-h2]']],
    ]);
    expect(plan.steps[2]!.inputs[0]).toEqual({
      assetKey: 'hourly',
      inputName: 'hourly',
      partitionKeys: ['d1-h1', 'd1-h2'],
      many: true,
    });
  });

  it('derives downstream keys from an upstream key when the downstream lacks it', () => {
    const plan = buildPlan(definitions({ assets: [hourly, daily] }), { partitionKey: 'd2-h1' });
    expect(plan.steps.map((s) => [s.key, s.deps])).toEqual([
      ['hourly[d2-h1]', []],
      ['daily[d2]', ['hourly[d2-h1]']],
    ]);
    // The daily step reads both hours, though only one runs in this plan.
    expect(plan.steps[1]!.inputs[0]!.partitionKeys).toEqual(['d2-h1', 'd2-h2']);
  });

  it('derives through a chain of assets', () => {
    const minutely = asset({ key: 'minutely', partitions: hours }, () => 0);
    const hourly2 = asset({ key: 'hourly2', partitions: hours, deps: { minutely } }, () => 0);
    const daily2 = asset(
      { key: 'daily2', partitions: days, deps: { h: { asset: hourly2, mapping: hoursOfDay } } },
      () => 0,
    );
    const plan = buildPlan(definitions({ assets: [minutely, hourly2, daily2] }), {
      partitionKey: 'd2',
    });
    expect(plan.steps.map((s) => s.key)).toEqual([
      'minutely[d2-h1]',
      'minutely[d2-h2]',
      'hourly2[d2-h1]',
      'hourly2[d2-h2]',
      'daily2[d2]',
    ]);
  });
});
