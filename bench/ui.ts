/**
 * UI benchmarks in headless Chromium (Debian's /usr/bin/chromium) against `cairn start` serving a
 * generated definitions module and the UI's static build:
 * 1. 2,000 assets (20 layers of 100, 8 groups, each asset reading 1-2 assets of the layer before):
 *    time from navigation to an interactive graph (nodes drawn after the layout worker answered),
 *    and the median frame time while panning;
 * 2. 10,000 assets: time to an interactive graph, then time to apply a selection filter;
 * 3. the partition health bar of an asset with ~1,000,000 hourly partitions and 600 ranges:
 *    paint time of the bar (ranges → pixel columns → canvas), read from the page.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import {
  buildUi,
  getJson,
  launchChromium,
  postJson,
  SCREENSHOTS,
  startCairn,
} from '../packages/ui/e2e/harness.js';
import type { BenchFigure } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const CORE = pathToFileURL(join(here, '../packages/core/src/index.ts')).href;

/** A layered graph of `n` assets in 8 groups, plus one asset with ~1,000,000 hourly partitions. */
function writeDefs(dir: string, n: number): string {
  const src = `import { asset, definitions, hourlyPartitions } from ${JSON.stringify(CORE)};
const PER_LAYER = 100;
const all = [];
let prev = [];
for (let layer = 0; layer * PER_LAYER < ${n}; layer++) {
  const next = [];
  for (let i = 0; i < PER_LAYER && layer * PER_LAYER + i < ${n}; i++) {
    const group = 'g' + ((i * 8 / PER_LAYER) | 0);
    const key = group + '/l' + layer + '_a' + i;
    const a = prev[i];
    const b = prev[(i * 7 + 3) % PER_LAYER];
    const deps = {};
    if (a) deps.a = a;
    if (b && b !== a && i % 3 === 0) deps.b = b;
    next.push(asset({ key, group, kinds: ['sql'], deps }, () => i));
  }
  all.push(...next);
  prev = next;
}
// ~1,000,000 hours from 1910 to today.
all.push(asset({ key: 'big/hourly', group: 'big', partitions: hourlyPartitions({ start: '1910-01-01-00:00' }) }, () => 1));
export default definitions({ assets: all });
`;
  const path = join(dir, `defs-${n}.mts`);
  writeFileSync(path, src);
  return path;
}

/**
 * ms from navigation start until asset nodes are drawn after the layout, with where the time went
 * (the page's performance marks: the graph answered by the API, the layout worker's answer).
 */
async function timeToGraph(page: Page, url: string): Promise<{ ms: number; breakdown: string }> {
  await page.goto(url);
  await page.waitForSelector('body[data-graph-ready] .react-flow__node-asset', {
    timeout: 120_000,
  });
  const ms = (await page.evaluate('performance.now()')) as number;
  const marks = (await page.evaluate(
    `Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime]))`,
  )) as Record<string, number>;
  const api = (await page.evaluate(
    `(() => { const r = performance.getEntriesByType('resource').find((e) => e.name.endsWith('/api/graph')); return r ? [r.requestStart, r.responseEnd] : null; })()`,
  )) as [number, number] | null;
  const at = (name: string) => marks[name]?.toFixed(0) ?? '?';
  const breakdown = [
    api ? `/api/graph ${api[0].toFixed(0)}-${api[1].toFixed(0)}` : '',
    `fetched ${at('cairn:graph-fetched')}`,
    `laid out ${at('cairn:layout-done')}`,
    `drawn ${ms.toFixed(0)} ms`,
  ]
    .filter(Boolean)
    .join(', ');
  return { ms, breakdown };
}

/** Median frame time (ms) while dragging the canvas for ~60 mouse moves. */
async function panFrameMs(page: Page): Promise<number> {
  // A string, not a function: tsx's name-keeping helper (__name) does not exist in the page.
  await page.evaluate(`(() => {
    window.frames_ = [];
    let last = performance.now();
    const tick = (t) => {
      window.frames_.push(t - last);
      last = t;
      if (window.frames_.length < 400) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
  await page.mouse.move(640, 450);
  await page.mouse.down();
  for (let i = 0; i < 60; i++) await page.mouse.move(640 - i * 8, 450 - i * 3);
  await page.mouse.up();
  const frames = (await page.evaluate('window.frames_.slice(1)')) as number[];
  const sorted = frames.sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function graphFigures(browser: Browser, dir: string, n: number): Promise<BenchFigure[]> {
  const home = join(dir, `home-${n}`);
  mkdirSync(home, { recursive: true });
  const server = await startCairn('start', dir, home, ['--defs', writeDefs(dir, n)]);
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    await getJson(`${server.url}/api/graph`); // warm the daemon's graph snapshot, as a running daemon has
    const figures: BenchFigure[] = [];
    const { ms, breakdown } = await timeToGraph(page, `${server.url}/`);
    // What a user sees of a large graph (docs/ui.md shows the 2,000-asset one), taken after timing.
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, `graph-${n}.png`) });
    const engine = (await page.evaluate('document.body.dataset.layoutEngine')) as string;
    figures.push({
      name: `graph of ${n.toLocaleString('en')} assets: navigation to interactive graph (${engine} layout)`,
      value: ms,
      unit: 'ms',
      ...(n <= 2000 ? { target: 3000 } : {}),
      note: `${breakdown}; ${n > 2000 ? 'issue: the page still loads and offers filtering' : 'Dagster UI hangs at a few hundred in reports'}`,
    });
    if (n <= 2000) {
      figures.push({
        name: `graph of ${n.toLocaleString('en')} assets: median frame while panning`,
        value: await panFrameMs(page),
        unit: 'ms',
        note: '16.7 ms = 60 fps',
      });
    } else {
      const t0 = Date.now();
      await page.getByLabel('Selection filter').fill('group:g3');
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.waitForFunction('Number(document.body.dataset.graphReady) < 2000', null, {
        timeout: 120_000,
      });
      await page.waitForSelector('.react-flow__node-asset');
      figures.push({
        name: `graph of ${n.toLocaleString('en')} assets: apply selection filter group:g3`,
        value: Date.now() - t0,
        unit: 'ms',
      });
    }
    return figures;
  } finally {
    await page.close();
    await server.stop();
  }
}

async function healthBarFigure(browser: Browser, dir: string): Promise<BenchFigure> {
  const home = join(dir, 'home-bar');
  mkdirSync(home, { recursive: true });
  const server = await startCairn('start', dir, home, ['--defs', writeDefs(dir, 10)]);
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    const key = encodeURIComponent('big/hourly');
    const { total } = await getJson<{ total: number }>(
      `${server.url}/api/assets/${key}/partitions?limit=1`,
    );
    // 300 scattered materialized partitions → ~600 ranges across the million.
    for (let i = 0; i < 300; i++) {
      const index = Math.floor(((i + 0.5) * total) / 300);
      const page1 = await getJson<{ ranges: { startKey: string }[] }>(
        `${server.url}/api/assets/${key}/partitions?offset=${index}&limit=1`,
      );
      await postJson(`${server.url}/api/assets/${key}/report`, {
        kind: 'materialization',
        partitionKey: page1.ranges[0]!.startKey,
      });
    }
    await page.goto(`${server.url}/assets/${key}`);
    const bar = page.locator('canvas.health-bar');
    await page.waitForSelector(`canvas.health-bar[data-rendered="${total}"]`, { timeout: 60_000 });
    const ms = Number(await bar.getAttribute('data-render-ms'));
    return {
      name: `partition health bar of ${total.toLocaleString('en')} partitions (600 ranges): paint`,
      value: ms,
      unit: 'ms',
      target: 200,
    };
  } finally {
    await page.close();
    await server.stop();
  }
}

/** The UI bench part (see the file comment). */
export async function run(): Promise<BenchFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-ui-'));
  await buildUi();
  const browser = await launchChromium();
  try {
    // CAIRN_BENCH_UI_SIZES=2000 measures only that graph (while profiling); default: everything.
    const sizes = (process.env.CAIRN_BENCH_UI_SIZES ?? '2000,10000').split(',').map(Number);
    const figures: BenchFigure[] = [];
    for (const n of sizes) figures.push(...(await graphFigures(browser, dir, n)));
    if (process.env.CAIRN_BENCH_UI_SIZES === undefined)
      figures.push(await healthBarFigure(browser, dir));
    return figures;
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
