import {
  asset,
  dailyPartitions,
  definitions,
  externalAsset,
  hourlyPartitions,
  timeWindowMapping,
} from '@cairn/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/daemon.js';
import { automationDaemon, run, tempHome } from '../automation/helpers.js';

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

function home() {
  const t = tempHome('cairn-stale-');
  cleanups.push(t.remove);
  return t.home;
}

async function start(defs: Parameters<typeof automationDaemon>[0], where: string) {
  const r = await automationDaemon(defs, where);
  cleanups.push(() => r.daemon.stop());
  return r.daemon;
}

async function stop(daemon: Daemon) {
  await daemon.stop();
}

const start_ = '2024-03-01';

describe('staleness tracked in the daemon', () => {
  it('re-materializing one hour makes the daily partition reading it stale, naming the hour', async () => {
    const hourly = asset(
      { key: 'hourly', partitions: hourlyPartitions({ start: start_ }) },
      () => 1,
    );
    const daily = asset(
      {
        key: 'daily',
        partitions: dailyPartitions({ start: start_ }),
        deps: { hourly: { asset: hourly, mapping: timeWindowMapping() } },
      },
      () => 2,
    );
    const defs = definitions({ assets: [hourly, daily] });
    const daemon = await start(defs, home());
    const hours = hourly.partitions!.keys({ now: new Date('2024-03-02T00:00:00Z') });
    expect(hours).toHaveLength(24);
    await run(daemon, { selection: 'hourly', partitionRange: { from: hours[0]!, to: hours[23]! } });
    await run(daemon, { selection: 'daily', partitionKey: '2024-03-01' });
    expect(await daemon.staleness.summary('daily')).toMatchObject({
      fresh: 1,
      stale: 0,
      missing: 1,
    });

    await run(daemon, { selection: 'hourly', partitionKey: hours[5]! });
    expect(await daemon.staleness.summary('daily')).toMatchObject({ fresh: 0, stale: 1 });
    const page = await daemon.staleness.partitions('daily', { status: 'stale', limit: 10 });
    expect(page.partitions).toHaveLength(1);
    expect(page.partitions[0]).toMatchObject({
      partitionKey: '2024-03-01',
      status: 'stale',
      causes: [{ type: 'data', upstream: { assetKey: 'hourly', partitionKey: hours[5] } }],
    });
    const explained = await daemon.staleness.explain('daily', '2024-03-01');
    expect(explained.status).toBe('stale');
    expect(explained.text).toContain(`hourly ${hours[5]}`);
    // The other hours and the hourly asset itself are fresh.
    expect(await daemon.staleness.summary('hourly')).toMatchObject({ fresh: 24, stale: 0 });

    // Re-materializing the daily partition makes it fresh again.
    await run(daemon, { selection: 'daily', partitionKey: '2024-03-01' });
    expect(await daemon.staleness.summary('daily')).toMatchObject({ fresh: 1, stale: 0 });
  });

  it('a new code version on reload makes that asset and, once re-run, its readers stale, explained to the root', async () => {
    const where = home();
    const build = (version: string) => {
      const orders = asset({ key: 'orders', codeVersion: version }, () => 1);
      const revenue = asset({ key: 'revenue', codeVersion: '1', deps: { orders } }, () => 2);
      return definitions({ assets: [orders, revenue] });
    };
    const first = await automationDaemon(build('3'), where);
    await run(first.daemon, { selection: '*' });
    expect(await first.daemon.staleness.summary('revenue')).toMatchObject({ fresh: 1, stale: 0 });
    await first.daemon.stop();

    const second = await start(build('4'), where);
    const orders = await second.staleness.explain('orders', undefined);
    expect(orders.status).toBe('stale');
    expect(orders.causes[0]).toMatchObject({ type: 'code', from: '3', to: '4' });
    expect(await second.staleness.summary('orders')).toMatchObject({ stale: 1 });
    // revenue is stale because its upstream is.
    expect(
      (await second.staleness.partitions('revenue', { limit: 5 })).partitions[0],
    ).toMatchObject({
      status: 'stale',
      causes: [{ type: 'upstream', upstream: { assetKey: 'orders' } }],
    });

    await run(second, { selection: 'orders' });
    const revenue = await second.staleness.explain('revenue', undefined);
    expect(revenue.status).toBe('stale');
    expect(revenue.causes[0]).toMatchObject({ type: 'data', upstream: { assetKey: 'orders' } });
    // The chain reaches the root cause through the older materialization fetched from the log.
    expect(revenue.text).toMatch(/code version changed from 3 to 4/);
    expect(await second.staleness.summary('orders')).toMatchObject({ fresh: 1, stale: 0 });
  });

  it('added or removed dependencies on reload make the asset stale (dependencies)', async () => {
    const where = home();
    const a = asset({ key: 'a', codeVersion: '1' }, () => 1);
    const b = asset({ key: 'b', codeVersion: '1' }, () => 1);
    const cOld = asset({ key: 'c', codeVersion: '1', deps: { a } }, () => 1);
    const first = await automationDaemon(definitions({ assets: [a, b, cOld] }), where);
    await run(first.daemon, { selection: '*' });
    await stop(first.daemon);
    const cNew = asset({ key: 'c', codeVersion: '1', deps: { a, b } }, () => 1);
    const second = await start(definitions({ assets: [a, b, cNew] }), where);
    const page = await second.staleness.partitions('c', { limit: 5 });
    expect(page.partitions[0]).toMatchObject({
      status: 'stale',
      causes: [{ type: 'dependencies', added: ['b'] }],
    });
    expect(await second.staleness.summary('a')).toMatchObject({ fresh: 1, stale: 0 });
  });

  it('an observation of an external asset with a new data version makes its dependents stale', async () => {
    const payments = externalAsset({ key: 'payments' });
    const report = asset({ key: 'report', codeVersion: '1', deps: [payments] }, () => 1);
    const daemon = await start(definitions({ assets: [payments, report] }), home());
    await daemon.reportObservation({ assetKey: 'payments', dataVersion: 'v1' });
    await run(daemon, { selection: 'report' });
    expect(await daemon.staleness.summary('report')).toMatchObject({ fresh: 1, stale: 0 });
    // The same data version again changes nothing.
    await daemon.reportObservation({ assetKey: 'payments', dataVersion: 'v1' });
    expect(await daemon.staleness.summary('report')).toMatchObject({ fresh: 1, stale: 0 });
    await daemon.reportObservation({ assetKey: 'payments', dataVersion: 'v2' });
    expect(await daemon.staleness.summary('report')).toMatchObject({ fresh: 0, stale: 1 });
    const e = await daemon.staleness.explain('report', undefined);
    expect(e.causes[0]).toMatchObject({
      type: 'data',
      upstream: { assetKey: 'payments' },
      recorded: 'v1',
      current: 'v2',
    });
  });

  it('the stale index is stored: a restart with the same definitions keeps it without re-evaluating', async () => {
    const where = home();
    const up = asset({ key: 'up' }, () => 1);
    const down = asset({ key: 'down', codeVersion: '1', deps: { up } }, () => 1);
    const defs = definitions({ assets: [up, down] });
    const first = await automationDaemon(defs, where);
    await run(first.daemon, { selection: '*' });
    await run(first.daemon, { selection: 'up' });
    expect(await first.daemon.staleness.summary('down')).toMatchObject({ stale: 1 });
    await first.daemon.stop();
    const second = await start(defs, where);
    const rows = await second.storage.db
      .selectFrom('stale_partitions' as never)
      .selectAll()
      .execute();
    expect(rows).toHaveLength(1);
    expect(await second.staleness.summary('down')).toMatchObject({ fresh: 0, stale: 1 });
    await expect(second.staleness.summary('nope')).rejects.toMatchObject({
      code: 'CAIRN_UNKNOWN_ASSET',
    });
  });
});
