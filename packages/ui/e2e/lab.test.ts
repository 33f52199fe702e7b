/**
 * End to end on the fixture project e2e/fixtures/lab (a schedule, a sensor, a partitioned chain of
 * three assets) in Debian's Chromium: the empty states of a fresh home, the graph driven with the
 * keyboard only, starting and stopping a schedule and a sensor from the Automation page (checked
 * against the API and after a reload), and the page shown when the daemon stops answering.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BROWSER_TEST_RETRY,
  buildUi,
  chromiumSkipReason,
  getJson,
  launchChromium,
  postJson,
  SCREENSHOTS,
  type Server,
  SuitePage,
  startCairn,
  UI_DIR,
} from './harness.js';

let home: string | undefined;
let server: Server | undefined;
let browser: Browser | undefined;
let page: Page;
let pages: SuitePage | undefined;
/** Errors the page logged, shown when a wait fails. */
const pageErrors: string[] = [];

const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });

beforeAll(async () => {
  if (chromiumSkipReason !== undefined) return;
  home = mkdtempSync(join(tmpdir(), 'cairn-ui-lab-'));
  mkdirSync(SCREENSHOTS, { recursive: true });
  await buildUi();
  server = await startCairn('dev', join(UI_DIR, 'e2e/fixtures/lab'), home);
  browser = await launchChromium();
  pages = new SuitePage(
    browser,
    { viewport: { width: 1280, height: 800 }, colorScheme: 'light' },
    (p) => {
      p.on('pageerror', (err) => pageErrors.push(String(err)));
      p.on('console', (m) => {
        if (m.type() === 'error') pageErrors.push(m.text());
      });
    },
  );
}, 240_000);

beforeEach(async () => {
  if (pages !== undefined) page = await pages.next();
});

/** Waits until the graph is laid out and drawn; on timeout says what the page showed instead. */
async function graphDrawn(): Promise<void> {
  try {
    await page.waitForSelector('body[data-graph-ready] .react-flow__node-asset', {
      timeout: 45_000,
    });
  } catch (err) {
    const shown = await page.evaluate(() => document.querySelector('main')?.textContent ?? '');
    throw new Error(
      `the graph was not drawn: ${(err as Error).message}\npage: ${shown.slice(0, 500)}\npage errors: ${pageErrors.join('\n') || 'none'}`,
    );
  }
}

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (home !== undefined) rmSync(home, { recursive: true, force: true });
}, 60_000);

/** What has the keyboard focus: an asset node's key, else the element's accessible text. */
function focused(): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (el === null || el === document.body) return 'body';
    const node = el.closest('.react-flow__node-asset');
    if (node !== null) return `node:${node.getAttribute('data-id')}`;
    return `${el.tagName.toLowerCase()}:${el.getAttribute('aria-label') ?? el.textContent?.trim() ?? ''}`;
  });
}

/** Presses `key` (Tab by default) until `want` has the focus; fails after `max` presses. */
async function pressUntil(want: (f: string) => boolean, key = 'Tab', max = 40): Promise<string> {
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    const f = await focused();
    seen.push(f);
    if (want(f)) return f;
  }
  throw new Error(
    `focus never reached the wanted element with ${key}; it went: ${seen.join(' → ')}`,
  );
}

type TickSource = { name: string; status: string };

async function statusOf(kind: 'schedules' | 'sensors', name: string): Promise<string | undefined> {
  const body = await getJson<Record<string, TickSource[]>>(`${server!.url}/api/${kind}`);
  return body[kind]!.find((s) => s.name === name)?.status;
}

/** Starts the schedule or sensor when an earlier attempt of a retried test left it stopped. */
async function ensureRunning(kind: 'schedules' | 'sensors', name: string): Promise<void> {
  if ((await statusOf(kind, name)) === 'stopped')
    await postJson(`${server!.url}/api/${kind}/${name}/start`, {});
}

describe.skipIf(chromiumSkipReason !== undefined)(
  'the web UI on the lab fixture',
  { retry: BROWSER_TEST_RETRY },
  () => {
    it('says what is missing on a fresh home, and how to get it', async () => {
      await page.goto(`${server!.url}/backfills`);
      await expect
        .poll(() => page.locator('.empty-state').textContent(), { timeout: 20_000 })
        .toContain('No backfills yet');
      await page.goto(`${server!.url}/checks`);
      await expect
        .poll(() => page.locator('.empty-state').textContent(), { timeout: 20_000 })
        .toContain('No failing checks');
      await page.goto(`${server!.url}/?select=${encodeURIComponent('lab/nothing_here')}`);
      const state = page.locator('.empty-state, .error-state');
      await state.first().waitFor({ timeout: 20_000 });
      // An unknown key in a selection is the daemon's 400 with its code, said as such.
      expect(await state.first().textContent()).toMatch(/lab\/nothing_here|CAIRN_/);
      await shot('empty-selection');
    }, 60_000);

    it('is usable with the keyboard only: filter, nodes, panel, dialog, selection', async () => {
      await page.goto(`${server!.url}/`);
      await graphDrawn();
      // Tab order: the header, then the search and the selection filter of the graph.
      await pressUntil((f) => f === 'input:Search assets');
      await page.keyboard.press('Tab');
      expect(await focused()).toBe('input:Selection filter');
      await page.keyboard.type('group:lab');
      await page.keyboard.press('Enter');
      await page.waitForURL(/\?select=group%3Alab$/);
      await expect.poll(() => page.locator('.react-flow__node-asset').count()).toBe(2);
      // Clear the filter again (select all, delete, Enter): the three assets are back.
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Backspace');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('.react-flow__node-asset').count()).toBe(3);
      // '/' jumps to the search field from anywhere.
      await page.keyboard.press('Tab');
      await page.keyboard.press('/');
      expect(await focused()).toBe('input:Search assets');

      // Tab reaches the nodes; the focused node has a visible focus ring.
      await pressUntil((f) => f.startsWith('node:'));
      const ring = await page.evaluate(() => {
        const s = getComputedStyle(document.activeElement!);
        return `${s.outlineStyle} ${s.outlineWidth}`;
      });
      expect(ring).toBe('solid 3px');
      // Arrow keys follow the lineage: ← upstream to the root, → downstream to the end.
      for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowLeft');
      expect(await focused()).toBe('node:lab/readings');
      await page.keyboard.press('ArrowRight');
      expect(await focused()).toBe('node:lab/cleaned');
      await page.keyboard.press('ArrowRight');
      expect(await focused()).toBe('node:lab/report');
      await page.keyboard.press('ArrowLeft');
      expect(await focused()).toBe('node:lab/cleaned');
      await shot('graph-keyboard-focus');

      // Enter opens the panel and moves the focus into it.
      await page.keyboard.press('Enter');
      const panel = page.getByRole('complementary', { name: 'Asset lab/cleaned' });
      await panel.waitFor();
      expect(await focused()).toMatch(/^aside:Asset lab\/cleaned$/);
      await pressUntil((f) => f === 'button:Materialize…');
      // Enter on Materialize… opens the dialog, which holds the focus; Escape closes only the dialog.
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      expect(await page.evaluate(() => document.activeElement?.closest('dialog') !== null)).toBe(
        true,
      );
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      expect(await panel.isVisible()).toBe(true);
      // Escape again closes the panel and gives the focus back to the node it was opened from.
      await page.keyboard.press('Escape');
      await panel.waitFor({ state: 'detached' });
      await expect.poll(focused).toBe('node:lab/cleaned');

      // Opening with Enter selected the asset, as a click does; Space adds or removes assets for
      // "Materialize selected", and Enter on that button opens the dialog for them.
      const selectedButton = page.getByRole('button', { name: /Materialize selected/ });
      expect(await selectedButton.textContent()).toBe('Materialize selected (1)');
      await page.keyboard.press(' ');
      await expect.poll(() => selectedButton.textContent()).toBe('Materialize selected (0)');
      await page.keyboard.press(' ');
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press(' ');
      await expect.poll(() => selectedButton.textContent()).toBe('Materialize selected (2)');
      await pressUntil((f) => f === 'button:Materialize selected (2)', 'Shift+Tab');
      await page.keyboard.press('Enter');
      await dialog.waitFor();
      expect(await dialog.getByRole('heading').textContent()).toBe('Materialize 2 assets');
      // The default choice is "All missing"; Tab to Launch and press Enter: a backfill opens.
      await expect
        .poll(() => dialog.getByTestId('run-count').textContent())
        .toMatch(/^This creates \d+ runs? as a backfill\.$/);
      await pressUntil((f) => f === 'button:Launch');
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/backfills\/[^/]+$/, { timeout: 20_000 });
    }, 120_000);

    it('is usable with the keyboard on the asset page: find a partition, confirm dialogs', async () => {
      await page.goto(`${server!.url}/assets/${encodeURIComponent('lab/readings')}`);
      await page.getByRole('heading', { name: 'Partitions' }).waitFor({ timeout: 20_000 });
      // Find a partition with the keyboard only.
      await pressUntil((f) => f === 'input:Partition key');
      await page.keyboard.type('south');
      await page.keyboard.press('Enter');
      await expect
        .poll(() => page.getByTestId('partition-detail').textContent(), { timeout: 20_000 })
        .toContain('Partition south');
      // Wipe… asks first; the confirmation takes the focus on Cancel, Escape dismisses it and gives
      // the focus back to Wipe….
      await page.keyboard.press('Shift+Tab');
      await pressUntil((f) => f === 'button:Wipe…', 'Shift+Tab');
      await page.keyboard.press('Enter');
      const confirm = page.getByRole('alertdialog', { name: 'Confirm wipe' });
      await confirm.waitFor();
      expect(await focused()).toBe('button:Cancel');
      await page.keyboard.press('Escape');
      await confirm.waitFor({ state: 'detached' });
      expect(await focused()).toBe('button:Wipe…');
      // Materialize… opens the modal dialog; Escape closes it and the focus returns to the button.
      await page.keyboard.press('Shift+Tab');
      expect(await focused()).toBe('button:Materialize…');
      await page.keyboard.press('Enter');
      await page.getByRole('dialog').waitFor();
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      expect(await focused()).toBe('button:Materialize…');
    }, 60_000);

    it('stops and starts a schedule from the Automation page', async () => {
      await ensureRunning('schedules', 'hourly_report');
      await page.goto(`${server!.url}/automation`);
      const row = page.getByTestId('schedules-hourly_report');
      await expect.poll(() => row.textContent(), { timeout: 20_000 }).toContain('running');
      await row.getByRole('button', { name: 'Stop hourly_report' }).click();
      await expect.poll(() => row.textContent()).toContain('stopped');
      expect(await statusOf('schedules', 'hourly_report')).toBe('stopped');
      // The state is the daemon's, not the page's: after a reload it still says stopped.
      await page.reload();
      await expect.poll(() => row.textContent(), { timeout: 20_000 }).toContain('stopped');
      await row.getByRole('button', { name: 'Start hourly_report' }).click();
      await expect.poll(() => row.textContent()).toContain('running');
      expect(await statusOf('schedules', 'hourly_report')).toBe('running');
    }, 60_000);

    it('stops and starts a sensor, and shows its ticks with their reasons', async () => {
      await ensureRunning('sensors', 'inbox_watch');
      await page.goto(`${server!.url}/automation`);
      const row = page.getByTestId('sensors-inbox_watch');
      await row.getByRole('button', { name: 'inbox_watch', exact: true }).click();
      const ticks = page.getByTestId('ticks-inbox_watch');
      // The first tick requested a run; the later ones skipped, and say why.
      await expect.poll(() => ticks.textContent(), { timeout: 30_000 }).toContain('requested');
      await expect
        .poll(() => ticks.textContent(), { timeout: 30_000 })
        .toContain('skipped — No new files in the inbox after file 1');
      expect(await ticks.getByRole('link').count()).toBeGreaterThanOrEqual(1);
      await shot('automation-ticks');

      await row.getByRole('button', { name: 'Stop inbox_watch' }).click();
      await expect.poll(() => row.textContent()).toContain('stopped');
      expect(await statusOf('sensors', 'inbox_watch')).toBe('stopped');
      await page.reload();
      await expect.poll(() => row.textContent(), { timeout: 20_000 }).toContain('stopped');
      // A stopped sensor does not tick: the newest tick stays the same over several intervals.
      const newest = async () =>
        (
          await getJson<{ ticks: { id: number }[] }>(
            `${server!.url}/api/sensors/inbox_watch/ticks?limit=1`,
          )
        ).ticks[0]?.id;
      const before = await newest();
      await page.waitForTimeout(12_000);
      expect(await newest()).toBe(before);

      await row.getByRole('button', { name: 'Start inbox_watch' }).click();
      await expect.poll(() => row.textContent()).toContain('running');
      expect(await statusOf('sensors', 'inbox_watch')).toBe('running');
      await expect.poll(newest, { timeout: 60_000, interval: 500 }).not.toBe(before);
    }, 120_000);

    it('says the daemon is unreachable when it stops answering, with a Retry', async () => {
      // A retry after Chromium crashed past the stop below needs the daemon back.
      if (server!.child.exitCode !== null || server!.child.signalCode !== null)
        server = await startCairn('dev', join(UI_DIR, 'e2e/fixtures/lab'), home!);
      await page.goto(`${server!.url}/`);
      await graphDrawn();
      await expect.poll(() => page.getByTestId('live').textContent()).toBe('● live');
      await server!.stop();
      // Client-side navigation: the page is loaded, its requests now fail.
      await page.getByRole('link', { name: 'Runs' }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor({ timeout: 20_000 });
      expect(await alert.textContent()).toContain('The daemon is unreachable');
      expect(await alert.textContent()).toContain('CAIRN_UI_UNREACHABLE');
      await alert.getByRole('button', { name: 'Retry' }).waitFor();
      await expect.poll(() => page.getByTestId('live').textContent()).toBe('○ offline');
      await shot('daemon-unreachable');
    }, 60_000);
  },
);
