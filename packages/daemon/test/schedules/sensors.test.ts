import {
  asset,
  assetSensor,
  definitions,
  dynamicPartitions,
  manualClock,
  runStatusSensor,
  sensor,
} from '@cairn/core';
import { afterEach, describe, expect, it } from 'vitest';
import { InstigatorStore } from '../../src/schedules/instigator-store.js';
import { automationDaemon, run, tempHome } from '../automation/helpers.js';

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

function home(): string {
  const t = tempHome('cairn-sensor-');
  cleanups.push(t.remove);
  return t.home;
}

describe('sensors in the daemon', () => {
  it('persists the cursor, honours the interval and never submits a run key twice', async () => {
    const raw = asset({ key: 'raw' }, () => 1);
    const seen: (string | undefined)[] = [];
    const files = sensor({
      name: 'files',
      intervalSeconds: 30,
      target: raw,
      fn: ({ cursor }) => {
        seen.push(cursor);
        const n = Number(cursor ?? 0);
        // Run keys repeat on purpose: the third evaluation returns file-2 again.
        return { runRequests: [{ runKey: `file-${Math.min(n + 1, 2)}` }], cursor: String(n + 1) };
      },
    });
    const defs = definitions({ assets: [raw], sensors: [files] });
    const where = home();
    const clock = manualClock(new Date('2024-03-01T00:00:00Z'));
    const first = await automationDaemon(defs, where, { clock, autoStart: false });
    const t1 = await first.daemon.sensors.tick();
    expect(t1.map((t) => t.status)).toEqual(['requested']);
    // Within the interval: not evaluated.
    await clock.advance(10_000);
    expect(await first.daemon.sensors.tick()).toEqual([]);
    await clock.advance(25_000);
    const t2 = await first.daemon.sensors.tick();
    expect(t2[0]).toMatchObject({ status: 'requested', cursor: '2' });
    await first.daemon.stop();

    // A restart keeps the cursor; the repeated run key is not submitted again.
    const second = await automationDaemon(defs, where, { clock, autoStart: false });
    cleanups.push(() => second.daemon.stop());
    await clock.advance(31_000);
    const t3 = await second.daemon.sensors.tick();
    expect(t3[0]).toMatchObject({ status: 'skipped', cursor: '3' });
    expect(t3[0]!.reason).toMatch(/file-2 were already submitted/);
    expect(seen).toEqual([undefined, '1', '2']);
    expect((await second.daemon.storage.getRuns()).runs).toHaveLength(2);
    expect((await second.daemon.sensors.list())[0]).toMatchObject({
      name: 'files',
      cursor: '3',
      status: 'running',
    });
    await second.daemon.sensors.stop('files');
    await clock.advance(60_000);
    expect(await second.daemon.sensors.tick()).toEqual([]);
  });

  it('a run key claimed by a sensor tick that died before recording its run is submitted once', async () => {
    const raw = asset({ key: 'raw' }, () => 1);
    const files = sensor({
      name: 'files',
      intervalSeconds: 30,
      target: raw,
      fn: () => ({ runRequests: [{ runKey: 'never-submitted' }, { runKey: 'submitted' }] }),
    });
    const defs = definitions({ assets: [raw], sensors: [files] });
    const clock = manualClock(new Date('2024-03-01T00:00:00Z'));
    const { daemon } = await automationDaemon(defs, home(), { clock, autoStart: false });
    cleanups.push(() => daemon.stop());
    // What a tick that died leaves: both keys claimed, one run submitted, no run recorded.
    const store = new InstigatorStore(daemon.storage);
    const at = clock.now().toISOString();
    expect(await store.claimRunKey('files', 'never-submitted', at)).toBe(true);
    expect(await store.claimRunKey('files', 'submitted', at)).toBe(true);
    const { runId: early } = await daemon.submit({
      selection: 'raw',
      tags: { 'cairn/sensor': 'files' },
      idempotencyKey: 'sensor:files:submitted',
    });
    expect(await store.runKeyRun('files', 'submitted')).toBeNull();

    const [tick] = await daemon.sensors.tick();
    expect(tick).toMatchObject({ status: 'requested' });
    expect(tick!.runIds).toHaveLength(2);
    expect(tick!.runIds).toContain(early);
    expect((await daemon.storage.getRuns()).runs).toHaveLength(2);
    expect(await store.runKeyRun('files', 'submitted')).toBe(early);
    // From now on both keys are done.
    await clock.advance(31_000);
    const [again] = await daemon.sensors.tick();
    expect(again).toMatchObject({ status: 'skipped' });
    expect((await daemon.storage.getRuns()).runs).toHaveLength(2);
  });

  it('applies dynamic partition requests before submitting runs for the new keys', async () => {
    const regions = dynamicPartitions('regions');
    const byRegion = asset({ key: 'by_region', partitions: regions }, () => 1);
    const discover = sensor({
      name: 'discover',
      target: byRegion,
      fn: () => ({
        dynamicPartitions: { add: { regions: ['eu', 'us'] } },
        runRequests: [{ partitionKey: 'eu', runKey: 'eu' }],
      }),
    });
    const { daemon } = await automationDaemon(
      definitions({ assets: [byRegion], sensors: [discover] }),
      home(),
      { autoStart: false },
    );
    cleanups.push(() => daemon.stop());
    const [tick] = await daemon.sensors.tick();
    expect(tick?.status).toBe('requested');
    expect(daemon.storage.getDynamicPartitionKeys('regions')).toEqual(['eu', 'us']);
    const r = await daemon.storage.getRun(tick!.runIds[0]!);
    expect(r?.partitionKeys).toEqual(['eu']);
  });

  it('asset sensors see new materializations; run-status sensors see failed runs', async () => {
    const raw = asset({ key: 'raw' }, () => 1);
    const flaky = asset({ key: 'flaky' }, () => {
      throw new Error('boom');
    });
    const follow = asset({ key: 'follow' }, () => 1);
    const cleanup = asset({ key: 'cleanup' }, () => 1);
    const onRaw = assetSensor({
      name: 'on_raw',
      asset: raw,
      target: follow,
      fn: ({ materializations }) => ({
        runRequests: materializations.map((m) => ({ runKey: `follow-${m.runId}` })),
      }),
    });
    const onFailure = runStatusSensor({
      name: 'on_failure',
      status: 'failure',
      target: cleanup,
      fn: ({ runs }) => ({ runRequests: runs.map((r) => ({ runKey: `cleanup-${r.runId}` })) }),
    });
    const where = home();
    const { daemon, clock } = await automationDaemon(
      definitions({ assets: [raw, flaky, follow, cleanup], sensors: [onRaw, onFailure] }),
      where,
    );
    cleanups.push(() => daemon.stop());
    // First evaluation: history before the sensor started is not news.
    await run(daemon, { selection: 'raw' });
    expect((await daemon.sensors.tick()).map((t) => t.status)).toEqual(['skipped', 'skipped']);
    const rawRun = await run(daemon, { selection: 'raw' });
    const { runId: failedRun } = await daemon.submit({ selection: 'flaky' });
    expect((await daemon.waitForRun(failedRun)).status).toBe('failure');
    await clock.advance(31_000);
    const ticks = await daemon.sensors.tick();
    expect(ticks.map((t) => t.status)).toEqual(['requested', 'requested']);
    const keys = await Promise.all(
      ticks.map(async (t) => (await daemon.storage.getRun(t.runIds[0]!))?.idempotencyKey),
    );
    expect(keys).toEqual([
      `sensor:on_raw:follow-${rawRun}`,
      `sensor:on_failure:cleanup-${failedRun}`,
    ]);
    // Nothing new: both skip.
    for (const id of ticks.flatMap((t) => t.runIds)) await daemon.waitForRun(id);
    await clock.advance(31_000);
    expect((await daemon.sensors.tick()).map((t) => t.status)).toEqual(['skipped', 'skipped']);
  });
});
