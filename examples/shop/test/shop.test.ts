import { asset, definitions, materialize } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import defs, {
  cleanedOrders,
  dailyPageViews,
  dailyRevenue,
  noNegativeTotals,
  pageViews,
  rawOrders,
  revenueInRange,
  revenuePerView,
} from '../src/defs.js';

describe('examples/shop', () => {
  it('materializes one day of the whole pipeline with deterministic results', async () => {
    const result = await materialize(defs, { selection: '*', partitionKey: '2024-01-02' });
    expect(result.success).toBe(true);
    const counts: Record<string, number> = {};
    for (const m of result.materializations) counts[m.assetKey] = (counts[m.assetKey] ?? 0) + 1;
    expect(counts).toEqual({
      'shop/raw_orders': 3,
      'shop/cleaned_orders': 3,
      'shop/daily_revenue': 1,
      'web/page_views': 24,
      'web/daily_page_views': 1,
      'finance/revenue_per_view': 1,
    });
    const revenue = result.values.get('shop/daily_revenue', '2024-01-02') as { total: number };
    expect(revenue.total).toBe(10215.26);
    expect(result.checkResults.every((c) => c.passed)).toBe(true);
    expect(result.checkResults).toHaveLength(4);
  });

  it('skips everything downstream when the blocking check fails', async () => {
    // The same pipeline with a broken cleaning step that keeps refunds.
    const broken = asset(
      {
        key: 'shop/cleaned_orders',
        partitions: cleanedOrders.partitions,
        deps: { raw: rawOrders },
      },
      ({ raw }) => raw,
    );
    const brokenDefs = definitions({
      assets: [rawOrders, broken, dailyRevenue, pageViews, dailyPageViews, revenuePerView],
      checks: [noNegativeTotals, revenueInRange],
    });
    const result = await materialize(brokenDefs, { selection: '*', partitionKey: '2024-01-02' });
    expect(result.success).toBe(false);
    const failed = result.checkResults.filter((c) => !c.passed).map((c) => c.partitionKey);
    // eu and us have refunds on 2024-01-02 (see the previous test's dropped counts); apac has none.
    expect(failed.sort()).toEqual(['2024-01-02|eu', '2024-01-02|us']);
    const skipped = result.events.filter((e) => e.type === 'step_skipped');
    expect(skipped.map((e) => e.stepKey).sort()).toEqual([
      'finance/revenue_per_view[2024-01-02]',
      'shop/daily_revenue[2024-01-02]',
    ]);
    expect(result.values.get('web/daily_page_views', '2024-01-02')).toBeGreaterThan(0);
  });
});
