import { expect, it } from 'vitest';
import { asset } from '../../src/asset.js';
import { materializeResult } from '../../src/asset-types.js';
import { assetCheck } from '../../src/checks/asset-check.js';
import { definitions } from '../../src/definitions.js';
import { materialize } from '../../src/execution/materialize.js';

// The first example of docs/concepts/execution.md, kept working.
it('runs the example of docs/concepts/execution.md', async () => {
  const orders = asset({ key: 'shop/orders', codeVersion: '1' }, () => [
    { id: 1, total: 20 },
    { id: 2, total: 22 },
  ]);
  const revenue = asset({ key: 'shop/revenue', deps: { orders } }, ({ orders }, ctx) => {
    ctx.log.info('summing', { rows: orders.length });
    const total = orders.reduce((sum, o) => sum + o.total, 0);
    return materializeResult(total, { metadata: { rowCount: orders.length } });
  });
  const noNegative = assetCheck(
    { asset: orders, name: 'no_negative_totals', blocking: true },
    async (ctx) => {
      const rows = await ctx.loadValue();
      return { passed: rows.every((r) => r.total >= 0) };
    },
  );
  const defs = definitions({ assets: [orders, revenue], checks: [noNegative] });
  const run = await materialize(defs);
  expect(run.success).toBe(true);
  expect(run.values.get('shop/revenue')).toBe(42);
  expect(run.materializations[1]!.metadata).toEqual({ rowCount: 2 });
  expect(run.checkResults[0]!.passed).toBe(true);
});
