import { asset, definitions, eager, onCron } from '@cairn/core';
import { afterEach, describe, expect, it } from 'vitest';
import { automationDaemon, run, tempHome } from './helpers.js';

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function setup(defs: Parameters<typeof automationDaemon>[0], start?: Date) {
  const t = tempHome();
  cleanups.push(t.remove);
  const r = await automationDaemon(defs, t.home, {
    ...(start === undefined ? {} : { clock: (await import('@cairn/core')).manualClock(start) }),
  });
  cleanups.push(() => r.daemon.stop());
  return { ...r, home: t.home };
}

describe('automation ticks in the daemon', () => {
  it('eager: a chain is requested as one run once its upstream exists, and again when it changes', async () => {
    const raw = asset({ key: 'raw' }, () => 1);
    const clean = asset({ key: 'clean', deps: { raw }, automation: eager() }, ({ raw }) => raw + 1);
    const summary = asset(
      { key: 'summary', deps: { clean }, automation: eager() },
      ({ clean }) => clean + 1,
    );
    const { daemon, clock } = await setup(definitions({ assets: [raw, clean, summary] }));

    // raw is missing: nothing can run yet; the decision says why.
    const first = await daemon.automation.tick();
    expect(first.runIds).toEqual([]);

    await run(daemon, { selection: 'raw' });
    await clock.advance(60_000);
    const second = await daemon.automation.tick();
    expect(second.runIds).toHaveLength(1);
    const runRecord = await daemon.waitForRun(second.runIds[0]!);
    expect(runRecord.status).toBe('success');
    expect(runRecord.tags['cairn/source']).toBe('automation');
    const steps = await daemon.storage.getSteps(second.runIds[0]!);
    expect(steps.flatMap((s) => s.assetKeys).sort()).toEqual(['clean', 'summary']);
    expect(await daemon.staleness.summary('summary')).toMatchObject({ fresh: 1, stale: 0 });

    // Nothing changed: nothing requested.
    await clock.advance(60_000);
    expect((await daemon.automation.tick()).runIds).toEqual([]);

    // raw changes: the chain runs again.
    await run(daemon, { selection: 'raw' });
    await clock.advance(60_000);
    const again = await daemon.automation.tick();
    expect(again.runIds).toHaveLength(1);
    await daemon.waitForRun(again.runIds[0]!);

    // Every evaluation is stored with its reasons.
    const { evaluations } = await daemon.automation.evaluations({ assetKey: 'clean', limit: 10 });
    const requested = evaluations.filter((e) => e.requested.length > 0);
    expect(requested).toHaveLength(2);
    expect(requested[0]!.requested[0]!.text).toMatch(/clean requested by eager because .*raw/);
    expect(requested[0]!.tree?.label).toBe('eager');
    const ticks = await daemon.automation.ticks({ limit: 10 });
    expect(ticks).toHaveLength(4);
    expect(ticks.every((t) => typeof t.durationMs === 'number')).toBe(true);
    // The stored duration is the whole tick's, the one the tick returned.
    expect(ticks[0]!.id).toBe(again.tickId);
    expect(ticks[0]!.durationMs).toBe(again.durationMs);
  });

  it('never requests a partition that is already queued or running', async () => {
    const raw = asset({ key: 'raw' }, () => 1);
    const clean = asset({ key: 'clean', deps: { raw }, automation: eager() }, ({ raw }) => raw + 1);
    const t = tempHome();
    cleanups.push(t.remove);
    // Not started: submitted runs stay queued.
    const { daemon, clock } = await automationDaemon(
      definitions({ assets: [raw, clean] }),
      t.home,
      {
        autoStart: false,
      },
    );
    cleanups.push(() => daemon.stop());
    await daemon.automation.tick();
    await daemon
      .reportMaterialization({ assetKey: 'raw', dataVersion: 'v1' })
      .catch(() => undefined);
    const queued = await daemon.submit({ selection: 'raw' });
    expect(queued.created).toBe(true);
    await clock.advance(1000);
    await daemon.submit({ selection: 'clean' });
    const tick = await daemon.automation.tick();
    expect(tick.runIds).toEqual([]);
  });

  it('onCron requests once per cron tick, after its upstream updated', async () => {
    const raw = asset({ key: 'raw' }, () => 1);
    const report = asset(
      { key: 'report', deps: { raw }, automation: onCron('0 9 * * *', { timezone: 'UTC' }) },
      ({ raw }) => raw,
    );
    const { daemon, clock } = await setup(
      definitions({ assets: [raw, report] }),
      new Date('2024-03-03T08:00:00Z'),
    );
    await daemon.automation.tick();
    await clock.set(new Date('2024-03-03T09:30:00Z'));
    await run(daemon, { selection: 'raw' });
    await clock.advance(60_000);
    const fired = await daemon.automation.tick();
    expect(fired.runIds).toHaveLength(1);
    await daemon.waitForRun(fired.runIds[0]!);
    for (const minutes of [5, 30, 60]) {
      await clock.advance(minutes * 60_000);
      expect((await daemon.automation.tick()).runIds).toEqual([]);
    }
    // One automation run in all.
    const runs = (await daemon.storage.getRuns()).runs.filter(
      (r) => r.tags['cairn/source'] === 'automation',
    );
    expect(runs).toHaveLength(1);
  });
});
