import { asset, dailyPartitions, definitions, manualClock, schedule } from '@cairn/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunRequest, SubmitResult } from '../../src/runs/run-request.js';
import { InstigatorStore } from '../../src/schedules/instigator-store.js';
import { ScheduleRunner } from '../../src/schedules/schedule-runner.js';
import { automationDaemon, tempHome } from '../automation/helpers.js';

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

function home(): string {
  const t = tempHome('cairn-sched-');
  cleanups.push(t.remove);
  return t.home;
}

const HOUR = 3_600_000;

describe('schedules in the daemon', () => {
  it('fires DST-correctly: a skipped local time at the next instant, a repeated one once', async () => {
    const report = asset({ key: 'report' }, () => 1);
    const spring = schedule({
      name: 'spring',
      cron: '30 2 * * *',
      timezone: 'America/New_York',
      target: report,
    });
    const fall = schedule({
      name: 'fall',
      cron: '30 1 * * *',
      timezone: 'America/New_York',
      target: report,
    });
    const defs = definitions({ assets: [report], schedules: [spring, fall] });
    const clock = manualClock(new Date('2024-03-09T12:00:00Z'));
    const { daemon } = await automationDaemon(defs, home(), { clock, autoStart: false });
    cleanups.push(() => daemon.stop());
    await daemon.schedules.tick(); // first sight: starts from now
    const fired: string[] = [];
    for (let h = 0; h < 48; h++) {
      await clock.advance(HOUR);
      for (const t of await daemon.schedules.tick())
        if (t.status === 'requested') fired.push(t.tickKey);
    }
    // 2024-03-10 02:30 does not exist in New York: it fires at 03:00 EDT (07:00Z).
    expect(fired).toContain('2024-03-10T07:00:00.000Z');
    expect(fired).toContain('2024-03-11T06:30:00.000Z');
    await clock.set(new Date('2024-11-02T12:00:00Z'));
    await daemon.schedules.tick();
    const fallFired: string[] = [];
    for (let h = 0; h < 36; h++) {
      await clock.advance(HOUR);
      for (const t of await daemon.schedules.tick())
        if (t.status === 'requested' && t.tickKey.startsWith('2024-11-03'))
          fallFired.push(t.tickKey);
    }
    // 01:30 happens twice on 2024-11-03 (05:30Z in EDT, 06:30Z in EST): it fires once.
    const fallTicks = await daemon.schedules.ticks('fall', { limit: 100 });
    expect(
      fallTicks.filter((t) => t.tickKey.startsWith('2024-11-03')).map((t) => t.tickKey),
    ).toEqual(['2024-11-03T06:30:00.000Z']);
    expect(fallFired).toContain('2024-11-03T06:30:00.000Z');
    const ticks = await daemon.schedules.ticks('fall', { limit: 100 });
    expect(ticks.every((t) => t.status === 'requested' || t.status === 'skipped')).toBe(true);
  });

  it('two daemons sharing one database fire each tick exactly once', async () => {
    const report = asset({ key: 'report' }, () => 1);
    const hourly = schedule({ name: 'hourly', cron: '0 * * * *', timezone: 'UTC', target: report });
    const defs = definitions({ assets: [report], schedules: [hourly] });
    const where = home();
    const clockA = manualClock(new Date('2024-03-01T00:30:00Z'));
    const clockB = manualClock(new Date('2024-03-01T00:30:00Z'));
    const a = await automationDaemon(defs, where, { clock: clockA, autoStart: false });
    cleanups.push(() => a.daemon.stop());
    const b = await automationDaemon(defs, where, { clock: clockB, autoStart: false });
    cleanups.push(() => b.daemon.stop());
    await Promise.all([a.daemon.schedules.tick(), b.daemon.schedules.tick()]);
    let requested = 0;
    for (let i = 0; i < 5; i++) {
      await clockA.advance(HOUR);
      await clockB.advance(HOUR);
      const [ta, tb] = await Promise.all([a.daemon.schedules.tick(), b.daemon.schedules.tick()]);
      requested += [...ta, ...tb].filter((t) => t.status === 'requested').length;
    }
    expect(requested).toBe(5);
    const runs = await a.daemon.storage.getRuns({ limit: 100 });
    expect(runs.runs).toHaveLength(5);
    expect(new Set(runs.runs.map((r) => r.tags['cairn/tick'])).size).toBe(5);
    expect(await a.daemon.schedules.ticks('hourly', { limit: 100 })).toHaveLength(5);
  });

  it('a tick whose claimer died before or after submitting is fired once by the next tick pass', async () => {
    const report = asset({ key: 'report' }, () => 1);
    const hourly = schedule({ name: 'hourly', cron: '0 * * * *', timezone: 'UTC', target: report });
    const defs = definitions({ assets: [report], schedules: [hourly] });
    const clock = manualClock(new Date('2024-03-01T00:30:00Z'));
    const { daemon } = await automationDaemon(defs, home(), { clock, autoStart: false });
    cleanups.push(() => daemon.stop());
    await daemon.schedules.tick(); // first sight: from 00:30 on
    const store = new InstigatorStore(daemon.storage);
    // A "process" that dies inside the tick: its submit never returns (before or after submitting).
    const dying = (submitFirst: boolean) =>
      new ScheduleRunner({
        defs,
        store,
        clock,
        submit: async (request: RunRequest): Promise<SubmitResult> => {
          if (submitFirst) await daemon.submit(request);
          return new Promise<SubmitResult>(() => {});
        },
      });
    const claimedTicks = async () =>
      (await store.ticks('schedule', 'hourly')).filter((t) => t.status === 'claimed');

    for (const [hour, submitFirst] of [
      ['01', false],
      ['02', true],
    ] as const) {
      await clock.set(new Date(`2024-03-01T${hour}:00:05Z`));
      void dying(submitFirst).tick();
      await expect.poll(claimedTicks).toHaveLength(1);
      // A claim that is still young belongs to a live process: not stolen, not fired twice.
      expect(await daemon.schedules.tick()).toEqual([]);
      await clock.advance(31_000);
      const resumed = await daemon.schedules.tick();
      expect(resumed.map((t) => [t.tickKey, t.status])).toEqual([
        [`2024-03-01T${hour}:00:00.000Z`, 'requested'],
      ]);
      expect(await claimedTicks()).toEqual([]);
      expect(await daemon.schedules.tick()).toEqual([]);
    }
    const runs = await daemon.storage.getRuns({ limit: 100 });
    // One run per tick: the second tick's run was submitted before the "crash" and is reused.
    expect(runs.runs.map((r) => r.tags['cairn/tick']).sort()).toEqual([
      '2024-03-01T01:00:00.000Z',
      '2024-03-01T02:00:00.000Z',
    ]);
    const ticks = await daemon.schedules.ticks('hourly');
    expect(ticks.map((t) => [t.status, t.runIds.length])).toEqual([
      ['requested', 1],
      ['requested', 1],
    ]);
  });

  it('catch-up is off by default; partitioned schedules target the latest complete partition; stop persists', async () => {
    const sales = asset(
      { key: 'sales', partitions: dailyPartitions({ start: '2024-03-01' }) },
      () => 1,
    );
    const nightly = schedule({
      name: 'nightly',
      cron: '0 1 * * *',
      timezone: 'UTC',
      target: sales,
    });
    const defs = definitions({ assets: [sales], schedules: [nightly] });
    const where = home();
    const clock = manualClock(new Date('2024-03-05T12:00:00Z'));
    const first = await automationDaemon(defs, where, { clock, autoStart: false });
    await first.daemon.schedules.tick();
    expect((await first.daemon.schedules.list())[0]).toMatchObject({
      name: 'nightly',
      status: 'running',
      nextTickAt: '2024-03-06T01:00:00.000Z',
      lastTick: null,
    });
    // Three nights pass with the daemon down.
    await clock.set(new Date('2024-03-08T12:00:00Z'));
    const ticks = await first.daemon.schedules.tick();
    expect(ticks.map((t) => [t.tickKey, t.status])).toEqual([
      ['2024-03-06T01:00:00.000Z', 'skipped'],
      ['2024-03-07T01:00:00.000Z', 'skipped'],
      ['2024-03-08T01:00:00.000Z', 'requested'],
    ]);
    const run = await first.daemon.storage.getRun(ticks[2]!.runIds[0]!);
    expect(run?.partitionKeys).toEqual(['2024-03-07']);
    await first.daemon.schedules.stop('nightly');
    await first.daemon.stop();

    const second = await automationDaemon(defs, where, { clock, autoStart: false });
    cleanups.push(() => second.daemon.stop());
    await clock.set(new Date('2024-03-10T12:00:00Z'));
    expect(await second.daemon.schedules.tick()).toEqual([]);
    expect((await second.daemon.schedules.list())[0]).toMatchObject({
      status: 'stopped',
      nextTickAt: null,
    });
    await second.daemon.schedules.start('nightly');
    await clock.set(new Date('2024-03-11T02:00:00Z'));
    expect((await second.daemon.schedules.tick()).map((t) => t.tickKey)).toEqual([
      '2024-03-11T01:00:00.000Z',
    ]);
    await expect(second.daemon.schedules.stop('nope')).rejects.toMatchObject({
      code: 'CAIRN_UNKNOWN_SCHEDULE',
    });
  });
});
