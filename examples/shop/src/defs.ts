/**
 * The shop pipeline: orders per day and region → cleaned orders → daily revenue, an hourly page
 * view source rolled up per day, and revenue per view. A blocking check guards the cleaning step;
 * a warning check watches the revenue range.
 */
import {
  asset,
  assetCheck,
  dailyPartitions,
  definitions,
  eager,
  hourlyPartitions,
  materializeResult,
  metadataBoundsCheck,
  multiPartitions,
  multiToSingleMapping,
  schedule,
  staticPartitions,
  timeWindowMapping,
} from '@cairn/core';
import { generateOrders, generatePageViews } from './data.js';

/** One partition per day since 2024-01-01 (keys like `2024-01-02`, as in Dagster). */
export const daily = dailyPartitions({ start: '2024-01-01' });
/** One partition per hour (keys like `2024-01-02-13:00`). */
export const hourly = hourlyPartitions({ start: '2024-01-01-00:00' });
/** Day × region (keys like `2024-01-02|eu`). */
export const dailyByRegion = multiPartitions({
  date: daily,
  region: staticPartitions(['apac', 'eu', 'us']),
});

/** Orders as the source delivers them, one partition per day and region. */
export const rawOrders = asset(
  {
    key: 'shop/raw_orders',
    partitions: dailyByRegion,
    group: 'shop',
    kinds: ['json'],
    owners: ['team:data'],
    description: 'Orders exported by the shop system, per day and region.',
  },
  (_inputs, ctx) => {
    const { date, region } = ctx.partitionDimensions!;
    const orders = generateOrders(date!, region!);
    return materializeResult(orders, { metadata: { rowCount: orders.length } });
  },
);

/** Orders without refunds booked as negative orders. */
export const cleanedOrders = asset(
  {
    key: 'shop/cleaned_orders',
    partitions: dailyByRegion,
    group: 'shop',
    kinds: ['json'],
    codeVersion: '1',
    deps: { raw: rawOrders },
  },
  ({ raw }) => {
    const cleaned = raw.filter((o) => o.total >= 0);
    return materializeResult(cleaned, {
      metadata: { rowCount: cleaned.length, dropped: raw.length - cleaned.length },
    });
  },
);

/** Blocks everything downstream when a negative total slips through the cleaning step. */
export const noNegativeTotals = assetCheck(
  { asset: cleanedOrders, name: 'no_negative_totals', blocking: true },
  async (ctx) => {
    const orders = await ctx.loadValue();
    const bad = orders.filter((o) => o.total < 0);
    return {
      passed: bad.length === 0,
      metadata: { negativeRows: bad.length },
      description: bad.length ? `${bad.length} orders have a negative total` : 'no negative totals',
    };
  },
);

/** Revenue per day, all regions together and per region. */
export const dailyRevenue = asset(
  {
    key: 'shop/daily_revenue',
    partitions: daily,
    group: 'finance',
    kinds: ['json'],
    codeVersion: '1',
    deps: {
      orders: { asset: cleanedOrders, mapping: multiToSingleMapping({ dimension: 'date' }) },
    },
  },
  ({ orders }) => {
    const byRegion: Record<string, number> = {};
    let rows = 0;
    for (const [key, list] of orders) {
      const region = key.split('|')[1]!;
      byRegion[region] = round2(list.reduce((s, o) => s + o.total, 0));
      rows += list.length;
    }
    const total = round2(Object.values(byRegion).reduce((s, v) => s + v, 0));
    return materializeResult({ total, byRegion }, { metadata: { revenue: total, rowCount: rows } });
  },
);

/** Warns when a day's revenue is outside the usual range. */
export const revenueInRange = metadataBoundsCheck({
  asset: dailyRevenue,
  name: 'revenue_in_usual_range',
  metadataKey: 'revenue',
  min: 10_000,
  max: 25_000,
  severity: 'warn',
});

/** Page views per hour. */
export const pageViews = asset(
  { key: 'web/page_views', partitions: hourly, group: 'web', kinds: ['json'] },
  (_inputs, ctx) => generatePageViews(ctx.partitionKey!),
);

/** Page views per day: the 24 hourly partitions of the day. */
export const dailyPageViews = asset(
  {
    key: 'web/daily_page_views',
    partitions: daily,
    group: 'web',
    kinds: ['json'],
    codeVersion: '1',
    deps: { hours: { asset: pageViews, mapping: timeWindowMapping() } },
    // The daemon rolls a day up again whenever one of its hours changes.
    automation: eager(),
  },
  ({ hours }) => {
    let views = 0;
    for (const v of hours.values()) views += v;
    return materializeResult(views, { metadata: { hours: hours.size } });
  },
);

/** Revenue per page view, per day. */
export const revenuePerView = asset(
  {
    key: 'finance/revenue_per_view',
    partitions: daily,
    group: 'finance',
    codeVersion: '1',
    deps: { revenue: dailyRevenue, views: dailyPageViews },
    // Recomputed by the daemon as soon as revenue or views of the day change.
    automation: eager(),
  },
  ({ revenue, views }) => round2(revenue.total / views),
);

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Every night at 01:00 UTC: the daily revenue of the day that just ended (the latest complete partition). */
export const nightly = schedule({
  name: 'nightly',
  cron: '0 1 * * *',
  timezone: 'UTC',
  target: dailyRevenue,
});

/** The definitions this module exports (what `cairn` loads). */
export default definitions({
  assets: [rawOrders, cleanedOrders, dailyRevenue, pageViews, dailyPageViews, revenuePerView],
  checks: [noNegativeTotals, revenueInRange],
  schedules: [nightly],
});
