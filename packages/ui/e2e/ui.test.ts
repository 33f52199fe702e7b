/**
 * End to end: build the UI, start `cairn dev` on examples/shop, and drive the pages in Debian's
 * Chromium: every asset drawn, an asset opened, one partition materialized from the dialog and
 * watched until materialized, a failing check shown; a screenshot of each page goes to
 * packages/ui/screenshots/ (git-ignored).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateOrders } from '../../../examples/shop/src/data.js';
import {
  BROWSER_TEST_RETRY,
  buildUi,
  chromiumSkipReason,
  getJson,
  launchChromium,
  postJson,
  ROOT,
  SCREENSHOTS,
  type Server,
  SuitePage,
  startCairn,
} from './harness.js';

/** The revenue of a day as examples/shop computes it (refunds dropped). */
function revenueOf(day: string): number {
  let total = 0;
  for (const region of ['apac', 'eu', 'us']) {
    for (const o of generateOrders(day, region)) if (o.total >= 0) total += o.total;
  }
  return total;
}

let home: string | undefined;
let server: Server | undefined;
let browser: Browser | undefined;
let page: Page;
let pages: SuitePage | undefined;
/**
 * A day whose revenue is below 10,000, so the warn check revenue_in_usual_range fails on it, found
 * from the example's own deterministic data.
 */
const failingDay = Array.from(
  { length: 28 },
  (_, i) => `2024-01-${String(i + 1).padStart(2, '0')}`,
).find((d) => revenueOf(d) < 10_000)!;

const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });

beforeAll(async () => {
  if (chromiumSkipReason !== undefined) return;
  home = mkdtempSync(join(tmpdir(), 'cairn-ui-e2e-'));
  mkdirSync(SCREENSHOTS, { recursive: true });
  await buildUi();
  server = await startCairn('dev', join(ROOT, 'examples/shop'), home);
  browser = await launchChromium();
  pages = new SuitePage(browser, { viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
}, 240_000);

beforeEach(async () => {
  if (pages !== undefined) page = await pages.next();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (home !== undefined) rmSync(home, { recursive: true, force: true });
}, 60_000);

/** Opens an asset's page and its Materialize dialog. */
async function materializeDialog(assetKey: string) {
  await page.goto(`${server!.url}/assets/${encodeURIComponent(assetKey)}`);
  await page.getByRole('button', { name: 'Materialize…' }).click();
  return page.getByRole('dialog');
}

/** Waits until the run's status is terminal on its page and returns it. */
async function runFinishes(): Promise<string> {
  const status = page.getByTestId('run-status');
  await expect
    .poll(async () => (await status.textContent())?.trim(), { timeout: 60_000, interval: 250 })
    .toMatch(/^(success|failure|canceled)$/);
  return (await status.textContent())!.trim();
}

describe.skipIf(chromiumSkipReason !== undefined)(
  'the web UI on examples/shop',
  { retry: BROWSER_TEST_RETRY },
  () => {
    it('draws every asset of the example on the graph', async () => {
      const { nodes } = await getJson<{ nodes: { key: string }[] }>(`${server!.url}/api/graph`);
      expect(nodes.length).toBe(6);
      await page.goto(`${server!.url}/`);
      await page.waitForSelector('body[data-graph-ready]', { timeout: 30_000 });
      for (const n of nodes)
        await expect.poll(() => page.getByTestId(`asset-node-${n.key}`).count()).toBe(1);
      // Status is a word as well as a colour.
      await expect
        .poll(() => page.getByTestId('asset-node-shop/raw_orders').textContent())
        .toContain('missing');
      await shot('graph');
    }, 60_000);

    it('opens the side panel of a clicked node and the asset page from it', async () => {
      await page.goto(`${server!.url}/`);
      await page.waitForSelector('body[data-graph-ready]', { timeout: 30_000 });
      await page.getByTestId('asset-node-shop/raw_orders').click();
      const panel = page.getByRole('complementary', { name: 'Asset shop/raw_orders' });
      await panel.waitFor();
      expect(await panel.textContent()).toContain('shop/cleaned_orders');
      await shot('graph-side-panel');
      await panel.getByRole('link', { name: 'Open asset page →' }).click();
      await page.waitForURL(/\/assets\/shop%2Fraw_orders$/);
      await page.getByRole('heading', { name: 'Partitions' }).waitFor();
      expect(await page.textContent('.facts')).toContain('team:data');
      await shot('asset');
    }, 60_000);

    it('materializes one partition from the dialog and shows it materialized', async () => {
      const dialog = await materializeDialog('shop/raw_orders');
      await dialog.getByLabel('One partition').check();
      await dialog.getByLabel('Partition key').fill('2024-01-02|eu');
      await expect
        .poll(() => dialog.getByTestId('run-count').textContent())
        .toContain('This creates 1 run');
      await shot('materialize-dialog');
      await dialog.getByRole('button', { name: 'Launch' }).click();
      await page.waitForURL(/\/runs\/[^/]+$/);
      expect(await runFinishes()).toBe('success');
      await page.getByRole('heading', { name: 'Step timeline' }).waitFor();
      await shot('run');
      // Back on the asset page the partition is materialized, live and from the API.
      await page.goto(`${server!.url}/assets/${encodeURIComponent('shop/raw_orders')}`);
      await page.getByLabel('Partition key').fill('2024-01-02|eu');
      await page.getByRole('button', { name: 'Find' }).click();
      const detail = page.getByTestId('partition-detail');
      await expect
        .poll(() => detail.textContent(), { timeout: 20_000 })
        .toContain('Last materialized');
      await expect.poll(() => page.textContent('.legend')).toMatch(/materialized 1\b/);
      const parts = await getJson<{ counts: { materialized: number } }>(
        `${server!.url}/api/assets/${encodeURIComponent('shop/raw_orders')}/partitions`,
      );
      expect(parts.counts.materialized).toBe(1);
      await shot('asset-materialized');
    }, 120_000);

    it('shows a failing check on the asset, the checks page and the graph', async () => {
      // The warn check revenue_in_usual_range fails on days whose revenue is below 10,000: find one
      // from the example's own deterministic data, then materialize its chain through the API.
      const day = failingDay;
      const base = server!.url;
      const { backfillId } = await postJson<{ backfillId: string }>(`${base}/api/runs`, {
        selection: ['shop/raw_orders', 'shop/cleaned_orders'],
        partitions: { keys: ['apac', 'eu', 'us'].map((r) => `${day}|${r}`) },
      });
      await expect
        .poll(
          async () =>
            (await getJson<{ backfill: { state: string } }>(`${base}/api/backfills/${backfillId}`))
              .backfill.state,
          {
            timeout: 60_000,
            interval: 250,
          },
        )
        .toBe('completed');
      // The revenue partition from the UI: the asset page, the dialog, the run page.
      const dialog = await materializeDialog('shop/daily_revenue');
      await dialog.getByLabel('One partition').check();
      await dialog.getByLabel('Partition key').fill(day);
      await dialog.getByRole('button', { name: 'Launch' }).click();
      await page.waitForURL(/\/runs\/[^/]+$/);
      await runFinishes();
      await page.goto(`${base}/assets/${encodeURIComponent('shop/daily_revenue')}`);
      const checks = page.getByTestId('asset-checks');
      await expect.poll(() => checks.textContent(), { timeout: 20_000 }).toContain('failed (warn)');
      await shot('asset-failing-check');
      await page.goto(`${base}/checks`);
      const table = page.getByTestId('failing-checks');
      await table.waitFor({ timeout: 20_000 });
      expect(await table.textContent()).toContain('revenue_in_usual_range');
      await shot('checks');
      await page.goto(`${base}/`);
      await expect
        .poll(() => page.getByTestId('asset-node-shop/daily_revenue').textContent(), {
          timeout: 20_000,
        })
        .toContain('1 check');
      await shot('graph-after');
    }, 180_000);

    it('updates node statuses live as events arrive, without a reload', async () => {
      await page.goto(`${server!.url}/`);
      await page.waitForSelector('body[data-graph-ready]', { timeout: 30_000 });
      const node = page.getByTestId('asset-node-shop/raw_orders');
      // 4 partitions materialized by the tests above (more if this test is a retry).
      const url = `${server!.url}/api/assets/${encodeURIComponent('shop/raw_orders')}/partitions`;
      const before = (await getJson<{ counts: { materialized: number } }>(url)).counts.materialized;
      expect(before).toBeGreaterThanOrEqual(4);
      await expect.poll(() => node.textContent()).toContain(`${before}/3.2k`);
      await page.evaluate('window.__noReload = true');
      // A partition not materialized yet (each attempt of a retried test takes the next day).
      await postJson(`${server!.url}/api/runs`, {
        selection: ['shop/raw_orders'],
        partitions: { keys: [`2024-02-0${before - 3}|us`] },
      });
      await expect
        .poll(() => node.textContent(), { timeout: 30_000 })
        .toContain(`${before + 1}/3.2k`);
      // Same document: the marker set before the run is still there.
      expect(await page.evaluate('window.__noReload')).toBe(true);
    }, 60_000);

    it('shows a stale partition with its causes back to the re-materialized root', async () => {
      // daily_revenue <- cleaned_orders <- raw_orders, all materialized for `failingDay` above.
      // raw_orders has no code version, so materializing it again gives it a new data version:
      // cleaned_orders of that day and region becomes stale (data), daily_revenue of the day stale
      // because cleaned_orders is (upstream).
      const base = server!.url;
      const { runId } = await postJson<{ runId: string }>(`${base}/api/runs`, {
        selection: ['shop/raw_orders'],
        partitions: { keys: [`${failingDay}|eu`] },
      });
      await expect
        .poll(
          async () =>
            (await getJson<{ run: { status: string } }>(`${base}/api/runs/${runId}`)).run.status,
          { timeout: 60_000, interval: 250 },
        )
        .toBe('success');
      await page.goto(`${base}/assets/${encodeURIComponent('shop/daily_revenue')}`);
      await page.getByRole('heading', { name: 'Stale partitions' }).waitFor({ timeout: 20_000 });
      await page.getByLabel('Partition key').fill(failingDay);
      await page.getByRole('button', { name: 'Find' }).click();
      const detail = page.getByTestId('partition-detail');
      await expect.poll(() => detail.textContent(), { timeout: 20_000 }).toContain('stale');
      const causes = page.getByTestId('stale-causes');
      // The direct cause names the upstream partition; the explanation goes back to the root.
      await expect
        .poll(() => causes.textContent(), { timeout: 20_000 })
        .toContain(`upstream: shop/cleaned_orders ${failingDay}|eu is stale`);
      expect(await causes.textContent()).toContain(`shop/raw_orders ${failingDay}|eu`);
      await detail.scrollIntoViewIfNeeded();
      await shot('asset-stale');
      // The same facts the API gives.
      const api = await getJson<{ partitions: { status: string; explanation: string }[] }>(
        `${base}/api/assets/${encodeURIComponent('shop/daily_revenue')}/staleness?partition=${failingDay}`,
      );
      expect(api.partitions[0]!.status).toBe('stale');
      expect(api.partitions[0]!.explanation).toContain(`shop/raw_orders ${failingDay}|eu`);
    }, 120_000);

    it('lists runs, backfills and automation, and answers unknown pages clearly', async () => {
      await page.goto(`${server!.url}/runs`);
      await page.getByTestId('runs').waitFor();
      expect(await page.getByTestId('runs').locator('tbody tr').count()).toBeGreaterThanOrEqual(2);
      await shot('runs');
      await page.goto(`${server!.url}/backfills`);
      await page.getByRole('heading', { name: 'Backfills' }).waitFor();
      await page.waitForSelector('.empty-state, [data-testid="backfills"]');
      await shot('backfills');
      await page.goto(`${server!.url}/automation`);
      await page.getByRole('heading', { name: 'Schedules' }).waitFor();
      await page.waitForTimeout(500);
      await shot('automation');
      await page.goto(`${server!.url}/assets/${encodeURIComponent('shop/nope')}`);
      await page.getByRole('alert').waitFor();
      expect(await page.getByRole('alert').textContent()).toContain('Not found');
      expect(await page.getByRole('alert').textContent()).toContain('CAIRN_UNKNOWN_ASSET');
      await shot('asset-not-found');
      await page.goto(`${server!.url}/runs/00000000-0000-0000-0000-000000000000`);
      await page.getByRole('alert').waitFor();
    }, 60_000);

    it('counts the runs of a range before launching', async () => {
      const dialog = await materializeDialog('shop/raw_orders');
      await dialog.getByLabel('A range').check();
      await dialog.getByLabel('From').fill('2024-01-01|apac');
      await dialog.getByLabel('To').fill('2024-01-02|us');
      // Two days × three regions, found by binary search over the partition index.
      await expect
        .poll(() => dialog.getByTestId('run-count').textContent(), { timeout: 20_000 })
        .toContain('This creates 6 runs as a backfill');
      await dialog.getByLabel('All missing').check();
      await expect
        .poll(() => dialog.getByTestId('run-count').textContent())
        .toMatch(/This creates 3,1\d\d runs/);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
    }, 60_000);

    it('is readable in dark mode', async () => {
      const dark = await browser!.newPage({
        viewport: { width: 1280, height: 800 },
        colorScheme: 'dark',
      });
      try {
        await dark.goto(`${server!.url}/`);
        await dark.waitForSelector('body[data-graph-ready]', { timeout: 30_000 });
        const bg = await dark.evaluate(() => getComputedStyle(document.body).backgroundColor);
        expect(bg).toBe('rgb(13, 17, 23)');
        await dark.screenshot({ path: join(SCREENSHOTS, 'graph-dark.png') });
      } finally {
        await dark.close();
      }
    }, 60_000);
  },
);
