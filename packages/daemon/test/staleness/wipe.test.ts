import { asset, dailyPartitions, definitions } from '@cairn/core';
import { afterEach, describe, expect, it } from 'vitest';
import { automationDaemon, run, tempHome } from '../automation/helpers.js';

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

function home() {
  const t = tempHome('cairn-wipe-');
  cleanups.push(t.remove);
  return t.home;
}

async function start(defs: Parameters<typeof automationDaemon>[0], where: string) {
  const r = await automationDaemon(defs, where);
  cleanups.push(() => r.daemon.stop());
  return r.daemon;
}

const daily = dailyPartitions({ start: '2024-03-01' });

/** raw → clean → report; raw has no code version, so each run of it gets a new data version. */
function chain() {
  const raw = asset({ key: 'raw', partitions: daily }, () => 1);
  const clean = asset(
    { key: 'clean', partitions: daily, codeVersion: '1', deps: { raw } },
    () => 2,
  );
  const report = asset(
    { key: 'report', partitions: daily, codeVersion: '1', deps: { clean } },
    () => 3,
  );
  return definitions({ assets: [raw, clean, report] });
}

describe('wipes in the stale index', () => {
  it('a wiped partition is missing, and the partitions that read it are stale with a data cause', async () => {
    const where = home();
    const daemon = await start(chain(), where);
    const range = { from: '2024-03-01', to: '2024-03-02' };
    await run(daemon, { selection: ['raw', 'clean', 'report'], partitionRange: range });
    expect(await daemon.staleness.summary('clean')).toMatchObject({ fresh: 2, stale: 0 });

    await daemon.wipe('raw', ['2024-03-01']);
    expect(await daemon.staleness.summary('raw')).toMatchObject({
      fresh: 1,
      stale: 0,
      missing: 1,
    });
    // The reader of the wiped partition: its recorded input no longer matches (none now).
    const page = await daemon.staleness.partitions('clean', { status: 'stale' });
    expect(page.partitions).toEqual([
      {
        partitionKey: '2024-03-01',
        status: 'stale',
        causes: [
          {
            type: 'data',
            upstream: { assetKey: 'raw', partitionKey: '2024-03-01' },
            recorded: expect.any(String),
            current: undefined,
          },
        ],
      },
    ]);
    // Its reader in turn: stale because its upstream is (the other day is untouched).
    const report = await daemon.staleness.partitions('report', { status: 'stale' });
    expect(report.partitions.map((p) => [p.partitionKey, p.causes.map((c) => c.type)])).toEqual([
      ['2024-03-01', ['upstream']],
    ]);
    expect((await daemon.staleness.partitions('raw', {})).partitions).toMatchObject([
      { partitionKey: '2024-03-01', status: 'missing', causes: [] },
      { partitionKey: '2024-03-02', status: 'fresh' },
    ]);
    const explained = await daemon.staleness.explain('clean', '2024-03-01');
    expect(explained.status).toBe('stale');
    expect(explained.text).toContain('raw 2024-03-01');

    // Re-materializing the wiped partition and its readers makes everything fresh again.
    await run(daemon, {
      selection: ['raw', 'clean', 'report'],
      partitionKey: '2024-03-01',
    });
    for (const key of ['raw', 'clean', 'report'])
      expect(await daemon.staleness.summary(key)).toMatchObject({ stale: 0, fresh: 2 });
  });

  it('wiping a whole stale asset clears its stale rows, and a restart keeps the same index', async () => {
    const where = home();
    const first = await start(chain(), where);
    const range = { from: '2024-03-01', to: '2024-03-02' };
    await run(first, { selection: ['raw', 'clean', 'report'], partitionRange: range });
    // raw changes: clean stale (data), report stale (upstream).
    await run(first, { selection: 'raw', partitionRange: range });
    expect(await first.staleness.summary('clean')).toMatchObject({ stale: 2 });
    expect(await first.staleness.summary('report')).toMatchObject({ stale: 2 });

    await first.wipe('clean');
    expect(await first.staleness.summary('clean')).toMatchObject({
      fresh: 0,
      stale: 0,
      missing: 2,
    });
    // report read clean, which is gone: still stale, now with a data cause on clean.
    const after = await first.staleness.partitions('report', { status: 'stale' });
    expect(after.partitions.map((p) => p.causes.map((c) => `${c.type}`))).toEqual([
      ['data'],
      ['data'],
    ]);
    expect((await first.staleness.staleCounts()).get('clean')).toBeUndefined();
    await first.stop();

    // A restart loads the stored index: the same answer, without the wiped rows.
    const second = await start(chain(), where);
    expect(await second.staleness.summary('clean')).toMatchObject({ missing: 2, stale: 0 });
    expect(await second.staleness.partitions('report', { status: 'stale' })).toEqual(after);
  });
});
