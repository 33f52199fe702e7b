import { describe, expect, it } from 'vitest';
import { asset } from '../../src/asset.js';
import { materializeResult } from '../../src/asset-types.js';
import { definitions } from '../../src/definitions.js';
import { materialize } from '../../src/execution/materialize.js';
import { multiAsset } from '../../src/multi-asset.js';
import { defaultDataVersion } from '../../src/versioning/data-version.js';
import { eventsOf } from './fixtures.js';

describe('materialize(): a chain of assets', () => {
  const raw = asset({ key: 'shop/raw', codeVersion: 'v1' }, () => [1, 2, 3]);
  const doubled = asset({ key: 'shop/doubled', deps: { raw }, codeVersion: 'v1' }, ({ raw }) =>
    raw.map((x) => x * 2),
  );
  const total = asset({ key: 'shop/total', deps: { doubled } }, ({ doubled }) =>
    materializeResult(
      doubled.reduce((a, b) => a + b, 0),
      {
        metadata: { rowCount: doubled.length },
        dataVersion: 'explicit-1',
      },
    ),
  );
  const defs = definitions({ assets: [total, raw, doubled] });

  it('computes every asset in topological order and exposes the values', async () => {
    const run = await materialize(defs, { runId: 'run-1' });
    expect(run.success).toBe(true);
    expect(run.status).toBe('success');
    expect(run.runId).toBe('run-1');
    expect(run.values.get('shop/raw')).toEqual([1, 2, 3]);
    expect(run.values.get('shop/doubled')).toEqual([2, 4, 6]);
    expect(run.values.get('shop/total')).toBe(12);
    expect(run.materializations.map((m) => m.assetKey)).toEqual([
      'shop/raw',
      'shop/doubled',
      'shop/total',
    ]);
    expect(run.failures).toEqual([]);
  });

  it('emits events in order with run id and ISO timestamps', async () => {
    const run = await materialize(defs, { runId: 'run-2' });
    expect(run.events.map((e) => e.type)).toEqual([
      'run_started',
      'step_started',
      'materialization',
      'step_started',
      'materialization',
      'step_started',
      'materialization',
      'run_finished',
    ]);
    for (const e of run.events) {
      expect(e.runId).toBe('run-2');
      expect(new Date(e.timestamp).toISOString()).toBe(e.timestamp);
    }
    const finished = eventsOf(run.events, 'run_finished')[0]!;
    expect(finished.status).toBe('success');
    expect(finished.counts).toEqual({
      steps: 3,
      succeeded: 3,
      failed: 0,
      skipped: 0,
      reused: 0,
      materializations: 3,
      checksPassed: 0,
      checksFailed: 0,
    });
    // Events are plain JSON.
    expect(JSON.parse(JSON.stringify(run.events))).toEqual(run.events);
  });

  it('records data versions: code-versioned hashes, explicit ones, and exactly the inputs read', async () => {
    const run = await materialize(defs);
    const [m1, m2, m3] = run.materializations;
    expect(m1!.dataVersion).toBe(defaultDataVersion('v1', {}));
    expect(m1!.codeVersion).toBe('v1');
    expect(m1!.inputDataVersions).toEqual({});
    expect(m1!.depKeys).toEqual([]);
    expect(m2!.inputDataVersions).toEqual({ 'shop/raw': m1!.dataVersion });
    expect(m2!.dataVersion).toBe(defaultDataVersion('v1', { 'shop/raw': m1!.dataVersion }));
    expect(m2!.depKeys).toEqual(['shop/raw']);
    expect(m3!.dataVersion).toBe('explicit-1');
    expect(m3!.metadata).toEqual({ rowCount: 3 });
    expect(m3!.codeVersion).toBeUndefined();
    expect(m3!.inputDataVersions).toEqual({ 'shop/doubled': m2!.dataVersion });
  });

  it('sees earlier data versions through the history of an earlier run', async () => {
    const first = await materialize(defs);
    const second = await materialize(defs, { selection: 'shop/doubled', history: first.history });
    const m = second.materializations[0]!;
    expect(m.assetKey).toBe('shop/doubled');
    expect(m.inputDataVersions).toEqual({ 'shop/raw': first.materializations[0]!.dataVersion });
    // Same code, same inputs: the same data version, so downstream does not become stale.
    expect(m.dataVersion).toBe(first.materializations[1]!.dataVersion);
    expect(second.history.latestMaterialization('shop/raw', undefined)?.runId).toBe(first.runId);
    expect(second.history.latestMaterialization('shop/doubled', undefined)?.runId).toBe(
      second.runId,
    );
  });

  it('gives code-less assets a unique data version each time', async () => {
    const a = asset({ key: 'a' }, () => 1);
    const d = definitions({ assets: [a] });
    const r1 = await materialize(d);
    const r2 = await materialize(d);
    expect(r1.materializations[0]!.dataVersion).toMatch(/^[0-9a-f]{32}$/);
    expect(r1.materializations[0]!.dataVersion).not.toBe(r2.materializations[0]!.dataVersion);
  });

  it('values.get throws for an asset this run did not compute', async () => {
    const run = await materialize(defs, { selection: 'shop/raw' });
    expect(() => run.values.get('shop/total')).toThrow(/did not compute asset "shop\/total"/);
    expect(run.values.has('shop/raw')).toBe(true);
  });
});

describe('failures and skips', () => {
  it('skips the steps downstream of a failed step, naming it, and keeps independent branches running', async () => {
    const bad = asset({ key: 'bad' }, function computeBad(): number {
      throw new Error('boom in user code');
    });
    const below = asset({ key: 'below', deps: { bad } }, ({ bad }) => bad + 1);
    const further = asset({ key: 'further', deps: { below } }, ({ below }) => below + 1);
    const good = asset({ key: 'good' }, () => 'fine');
    const run = await materialize(definitions({ assets: [bad, below, further, good] }));
    expect(run.success).toBe(false);
    expect(run.status).toBe('failure');
    expect(run.values.get('good')).toBe('fine');
    const skipped = eventsOf(run.events, 'step_skipped');
    expect(skipped.map((s) => [s.stepKey, s.reason])).toEqual([
      ['below', 'upstream step "bad" failed'],
      ['further', 'upstream step "bad" failed'],
    ]);
    expect(run.result.steps).toEqual({
      bad: 'failed',
      below: 'skipped',
      further: 'skipped',
      good: 'succeeded',
    });
    expect(run.failures).toHaveLength(1);
    expect(run.failures[0]!.stepKey).toBe('bad');
    expect(run.failures[0]!.error.code).toBe('CAIRN_STEP_FAILED');
    expect(run.failures[0]!.error.message).toBe('Asset "bad" failed: boom in user code');
  });

  it("reports the user's own error name, message and stack", async () => {
    class WarehouseError extends Error {
      override name = 'WarehouseError';
    }
    const a = asset({ key: 'a' }, function loadFromWarehouse(): number {
      throw new WarehouseError('table missing', { cause: new Error('socket closed') });
    });
    const run = await materialize(definitions({ assets: [a] }));
    const failed = eventsOf(run.events, 'step_failed')[0]!;
    expect(failed.error.code).toBe('CAIRN_STEP_FAILED');
    expect(failed.error.name).toBe('WarehouseError');
    expect(failed.error.message).toBe('table missing');
    expect(failed.error.stack).toContain('loadFromWarehouse');
    expect(failed.error.stack).toContain('engine-basics.test.ts');
    expect(failed.error.cause?.message).toBe('socket closed');
    expect(failed.attempts).toBe(1);
    const cause = run.failures[0]!.error.cause as Error;
    expect(cause).toBeInstanceOf(WarehouseError);
  });

  it('fails with CAIRN_INPUT_NOT_FOUND when an unselected upstream was never materialized', async () => {
    const up = asset({ key: 'up' }, () => 1);
    const down = asset({ key: 'down', deps: { up } }, ({ up }) => up);
    const run = await materialize(definitions({ assets: [up, down] }), { selection: 'down' });
    expect(run.failures[0]!.error.code).toBe('CAIRN_INPUT_NOT_FOUND');
    expect(run.failures[0]!.error.message).toContain('"up"');
  });
});

describe('multi-assets', () => {
  it('run once for all their selected outputs and store each output', async () => {
    let calls = 0;
    const { customers, orders } = multiAsset(
      { outs: { customers: { key: 'crm/customers' }, orders: { key: 'crm/orders' } } },
      () => {
        calls++;
        return { customers: ['ann'], orders: materializeResult([1, 2], { metadata: { n: 2 } }) };
      },
    );
    const report = asset(
      { key: 'crm/report', deps: { customers, orders } },
      ({ customers, orders }) => `${customers.length}/${orders.length}`,
    );
    const run = await materialize(definitions({ assets: [customers, orders, report] }));
    expect(calls).toBe(1);
    expect(run.success).toBe(true);
    const started = eventsOf(run.events, 'step_started');
    expect(started.map((s) => s.assetKeys)).toEqual([
      ['crm/customers', 'crm/orders'],
      ['crm/report'],
    ]);
    expect(run.materializations.map((m) => [m.assetKey, m.metadata])).toEqual([
      ['crm/customers', {}],
      ['crm/orders', { n: 2 }],
      ['crm/report', {}],
    ]);
    expect(run.values.get('crm/report')).toBe('1/2');
    const steps = Object.keys(run.result.steps);
    expect(steps).toEqual(['multi:crm/customers,crm/orders', 'crm/report']);
  });

  it('computes only the selected outputs', async () => {
    const { a, b } = multiAsset({ outs: { a: { key: 'a' }, b: { key: 'b' } } }, () => ({
      a: 1,
      b: 2,
    }));
    const run = await materialize(definitions({ assets: [a, b] }), { selection: 'b' });
    expect(run.materializations.map((m) => m.assetKey)).toEqual(['b']);
    expect(run.values.has('a')).toBe(false);
  });

  it('fails clearly when an output is missing', async () => {
    const { a, b } = multiAsset(
      { outs: { a: { key: 'a' }, b: { key: 'b' } } },
      () => ({ a: 1 }) as never,
    );
    const run = await materialize(definitions({ assets: [a, b] }));
    expect(run.failures[0]!.error.message).toContain('returned no "b" output for asset "b"');
  });
});

describe('logging', () => {
  it('turns ctx.log lines into log events tagged with the step', async () => {
    const a = asset({ key: 'a' }, (_, ctx) => {
      ctx.log.info('loaded', { rows: 3 });
      ctx.log.warn('slow');
      return ctx.runId;
    });
    const run = await materialize(definitions({ assets: [a] }), { runId: 'r-log' });
    const logs = eventsOf(run.events, 'log');
    expect(logs.map((l) => [l.level, l.message, l.fields, l.stepKey, l.assetKey])).toEqual([
      ['info', 'loaded', { rows: 3 }, 'a', 'a'],
      ['warn', 'slow', undefined, 'a', 'a'],
    ]);
    expect(run.values.get('a')).toBe('r-log');
  });
});
