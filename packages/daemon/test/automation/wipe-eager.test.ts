import { asset, definitions, eager, manualClock } from '@cairn/core';
import { afterEach, expect, it } from 'vitest';
import { automationDaemon, run, tempHome } from './helpers.js';

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

it('eager: a wiped partition is newly missing and requested again (as Dagster does)', async () => {
  const raw = asset({ key: 'raw' }, () => 1);
  const clean = asset({ key: 'clean', deps: { raw }, automation: eager() }, ({ raw }) => raw + 1);
  const t = tempHome();
  cleanups.push(t.remove);
  const clock = manualClock(new Date('2024-03-03T00:00:00Z'));
  const { daemon } = await automationDaemon(definitions({ assets: [raw, clean] }), t.home, {
    clock,
  });
  cleanups.push(() => daemon.stop());
  await run(daemon, { selection: 'raw' });
  await clock.advance(60_000);
  const first = await daemon.automation.tick();
  expect(first.runIds).toHaveLength(1);
  await daemon.waitForRun(first.runIds[0]!);
  await clock.advance(60_000);
  expect((await daemon.automation.tick()).runIds).toEqual([]);

  await daemon.wipe('clean');
  await daemon.storage.flush();
  await clock.advance(60_000);
  const afterWipe = await daemon.automation.tick();
  expect(afterWipe.runIds).toHaveLength(1);
  const { evaluations } = await daemon.automation.evaluations({ assetKey: 'clean', limit: 1 });
  expect(evaluations[0]!.requested[0]!.reasons).toContain('it is newly missing');
  expect((await daemon.waitForRun(afterWipe.runIds[0]!)).status).toBe('success');
  await clock.advance(60_000);
  expect((await daemon.automation.tick()).runIds).toEqual([]);
});
