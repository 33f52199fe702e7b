import { describe, expect, it } from 'vitest';
import { asset } from '../../src/asset.js';
import { assetCheck } from '../../src/checks/asset-check.js';
import { definitions } from '../../src/definitions.js';
import { manualClock } from '../../src/execution/manual-clock.js';
import { materialize } from '../../src/execution/materialize.js';
import { eventsOf } from './fixtures.js';

const orders = asset({ key: 'shop/orders' }, () => [{ total: 5 }, { total: -1 }]);
const revenue = asset({ key: 'shop/revenue', deps: { orders } }, ({ orders }) =>
  orders.reduce((s, o) => s + o.total, 0),
);
const report = asset({ key: 'shop/report', deps: { revenue } }, ({ revenue }) => `${revenue}`);
const other = asset({ key: 'other' }, () => 'independent');

const noNegative = (blocking: boolean, severity: 'warn' | 'error' = 'error') =>
  assetCheck(
    { asset: orders, name: 'no_negative', blocking, severity, description: 'totals >= 0' },
    async (ctx) => {
      const rows = await ctx.loadValue();
      const bad = rows.filter((r) => r.total < 0).length;
      return { passed: bad === 0, metadata: { bad } };
    },
  );

describe('asset checks', () => {
  it('a failed blocking check of severity error skips everything downstream, naming the check', async () => {
    const defs = definitions({
      assets: [orders, revenue, report, other],
      checks: [noNegative(true)],
    });
    const run = await materialize(defs);
    expect(run.success).toBe(false);
    expect(run.status).toBe('failure');
    expect(run.checkResults).toHaveLength(1);
    const c = run.checkResults[0]!;
    expect([
      c.checkId,
      c.checkName,
      c.passed,
      c.severity,
      c.blocking,
      c.metadata,
      c.description,
    ]).toEqual([
      'shop/orders:no_negative',
      'no_negative',
      false,
      'error',
      true,
      { bad: 1 },
      'totals >= 0',
    ]);
    expect(run.result.steps).toEqual({
      other: 'succeeded',
      'shop/orders': 'succeeded',
      'shop/revenue': 'skipped',
      'shop/report': 'skipped',
    });
    const reason = 'blocking check "shop/orders:no_negative" failed on asset "shop/orders"';
    expect(eventsOf(run.events, 'step_skipped').map((s) => s.reason)).toEqual([reason, reason]);
    // The check ran right after its asset, before anything downstream.
    const types = run.events.map((e) => `${e.type}:${'stepKey' in e ? e.stepKey : ''}`);
    expect(types.indexOf('check_evaluation:shop/orders')).toBe(
      types.indexOf('materialization:shop/orders') + 1,
    );
  });

  it('a failed non-blocking check does not stop downstream, and the run succeeds', async () => {
    const defs = definitions({ assets: [orders, revenue, report], checks: [noNegative(false)] });
    const run = await materialize(defs);
    expect(run.success).toBe(true);
    expect(run.checkResults[0]!.passed).toBe(false);
    expect(run.values.get('shop/report')).toBe('4');
    const finished = eventsOf(run.events, 'run_finished')[0]!;
    expect(finished.counts.checksFailed).toBe(1);
    expect(finished.counts.checksPassed).toBe(0);
  });

  it('a blocking check with severity warn does not block', async () => {
    const defs = definitions({ assets: [orders, revenue], checks: [noNegative(true, 'warn')] });
    const run = await materialize(defs);
    expect(run.success).toBe(true);
    expect(run.values.get('shop/revenue')).toBe(4);
  });

  it('a result severity overrides the declared one', async () => {
    const check = assetCheck({ asset: orders, name: 'c', blocking: true }, () => ({
      passed: false,
      severity: 'warn' as const,
    }));
    const run = await materialize(definitions({ assets: [orders, revenue], checks: [check] }));
    expect(run.checkResults[0]!.severity).toBe('warn');
    expect(run.result.steps['shop/revenue']).toBe('succeeded');
  });

  it('a check that throws counts as failed with the error in its metadata', async () => {
    const check = assetCheck({ asset: orders, name: 'explodes', blocking: true }, () => {
      throw new RangeError('threshold missing');
    });
    const run = await materialize(definitions({ assets: [orders, revenue], checks: [check] }));
    const c = run.checkResults[0]!;
    expect(c.passed).toBe(false);
    expect(c.metadata.error).toBe('RangeError: threshold missing');
    expect(String(c.metadata.stack)).toContain('engine-checks.test.ts');
    expect(c.description).toBe('Check "shop/orders:explodes" threw: RangeError: threshold missing');
    expect(run.result.steps['shop/revenue']).toBe('skipped');
    expect(run.result.steps['shop/orders']).toBe('succeeded');
  });

  it('a check that returns something else than { passed } fails', async () => {
    const check = assetCheck({ asset: orders, name: 'bad_return' }, () => 'yes' as never);
    const run = await materialize(definitions({ assets: [orders], checks: [check] }));
    expect(run.checkResults[0]!.passed).toBe(false);
    expect(run.checkResults[0]!.metadata.error).toContain('instead of { passed: boolean }');
  });

  it('a check that ignores its time limit fails with CAIRN_STEP_TIMEOUT in metadata', async () => {
    const check = assetCheck(
      { asset: orders, name: 'slow', timeoutMs: 20 },
      () => new Promise(() => {}),
    );
    const run = await materialize(definitions({ assets: [orders], checks: [check] }));
    expect(run.checkResults[0]!.passed).toBe(false);
    expect(run.checkResults[0]!.metadata.code).toBe('CAIRN_STEP_TIMEOUT');
  });

  it('checks see this run in their history, and now from the clock', async () => {
    const clock = manualClock(new Date('2024-06-01T12:00:00Z'));
    let seen: unknown;
    const check = assetCheck({ asset: orders, name: 'fresh' }, (ctx) => {
      const latest = ctx.history.latestMaterialization('shop/orders', undefined);
      seen = {
        runId: latest?.runId,
        at: latest?.timestamp.toISOString(),
        now: ctx.now.toISOString(),
      };
      return { passed: true };
    });
    const run = await materialize(definitions({ assets: [orders], checks: [check] }), {
      clock,
      runId: 'r9',
    });
    expect(seen).toEqual({
      runId: 'r9',
      at: '2024-06-01T12:00:00.000Z',
      now: '2024-06-01T12:00:00.000Z',
    });
    expect(run.checkResults[0]!.passed).toBe(true);
    expect(eventsOf(run.events, 'run_finished')[0]!.counts.checksPassed).toBe(1);
  });

  it('checks of assets that are not selected do not run', async () => {
    const defs = definitions({ assets: [orders, revenue], checks: [noNegative(true)] });
    const first = await materialize(defs, { selection: 'shop/orders' });
    const run = await materialize(defs, {
      selection: 'shop/revenue',
      ioManagers: {},
      history: first.history,
    });
    expect(run.checkResults).toEqual([]);
  });
});
