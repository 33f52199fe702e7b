import { join } from 'node:path';
import { asset, assetCheck, definitions, manualClock } from '@cairn/core';
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/index.js';
import { automationDaemon, run, tempHome } from '../automation/helpers.js';
import { startWebhook } from './webhook-server.js';

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

/** A real webhook on 127.0.0.1 answering with the given statuses in turn, closed after the test. */
async function webhook(statuses: number[]) {
  const hook = await startWebhook(statuses);
  cleanups.push(() => hook.close());
  return hook;
}

function home(): string {
  const t = tempHome('cairn-alerts-');
  cleanups.push(t.remove);
  return t.home;
}

describe('alerts', () => {
  it('posts run failures to a webhook, retrying with backoff until it answers', async () => {
    const hook = await webhook([500, 503, 200]);
    const broken = asset({ key: 'broken' }, () => {
      throw new Error('boom');
    });
    const { daemon } = await automationDaemon(definitions({ assets: [broken] }), home(), {
      alerts: [{ url: hook.url, events: ['run_failure'] }],
      alertDelivery: { baseDelayMs: 10, maxAttempts: 5 },
    });
    cleanups.push(() => daemon.stop());
    const { runId } = await daemon.submit({ selection: 'broken' });
    expect((await daemon.waitForRun(runId)).status).toBe('failure');
    await daemon.alerts.idle();
    expect(hook.calls()).toBe(3);
    expect(hook.bodies).toEqual([expect.objectContaining({ event: 'run_failure', runId })]);
    const [delivery] = await daemon.alerts.deliveries();
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, httpStatus: 200 });
  });

  it('a webhook that never answers well gives up after maxAttempts without blocking runs or other webhooks', async () => {
    const bad = await webhook([500]);
    const good = await webhook([200]);
    const dead = 'http://127.0.0.1:1/unreachable';
    const orders = asset({ key: 'orders' }, () => 1);
    const positive = assetCheck({ name: 'positive', asset: orders }, () => ({ passed: false }));
    const { daemon } = await automationDaemon(
      definitions({ assets: [orders], checks: [positive] }),
      home(),
      {
        alerts: [{ url: bad.url }, { url: dead }, { url: good.url, events: ['check_failure'] }],
        alertDelivery: { baseDelayMs: 5, maxAttempts: 3, timeoutMs: 2000 },
      },
    );
    cleanups.push(() => daemon.stop());
    // The run does not wait for the webhooks.
    await run(daemon, { selection: 'orders' });
    await daemon.alerts.idle();
    expect(bad.calls()).toBe(3);
    expect(good.bodies).toEqual([
      expect.objectContaining({
        event: 'check_failure',
        assetKey: 'orders',
        checkName: 'positive',
      }),
    ]);
    const deliveries = await daemon.alerts.deliveries();
    const byUrl = Object.fromEntries(deliveries.map((d) => [d.url, d]));
    expect(byUrl[bad.url]).toMatchObject({ status: 'failed', attempts: 3, error: 'HTTP 500' });
    expect(byUrl[dead]).toMatchObject({ status: 'failed', attempts: 3 });
    expect(byUrl[good.url]).toMatchObject({ status: 'delivered', attempts: 1 });
  });

  it('freshness breaches found by the automation tick are alerted once', async () => {
    const hook = await webhook([200]);
    const orders = asset({ key: 'orders', freshness: { maxLagMinutes: 60 } }, () => 1);
    const clock = manualClock(new Date('2024-03-01T00:00:00Z'));
    const { daemon } = await automationDaemon(definitions({ assets: [orders] }), home(), {
      clock,
      alerts: [{ url: hook.url, events: ['freshness_breach'] }],
    });
    cleanups.push(() => daemon.stop());
    await run(daemon, { selection: 'orders' });
    const fresh = daemon.automation.freshness();
    expect(fresh).toHaveLength(1);
    await daemon.automation.tick();
    await daemon.alerts.idle();
    expect(hook.bodies).toHaveLength(0);
    await clock.set(new Date('2030-01-01T00:00:00Z'));
    await daemon.automation.tick();
    await daemon.automation.tick();
    await daemon.alerts.idle();
    expect(hook.bodies).toEqual([
      expect.objectContaining({ event: 'freshness_breach', assetKey: 'orders' }),
    ]);
    expect(daemon.automation.freshness()[0]?.status).toBe('stale');
  });

  it('a failure committed while no daemon leads is alerted by the next leader', async () => {
    const hook = await webhook([200]);
    const broken = asset({ key: 'broken' }, () => {
      throw new Error('boom');
    });
    const defs = definitions({ assets: [broken] });
    const where = home();
    const options = { alerts: [{ url: hook.url }] };
    const first = await automationDaemon(defs, where, options);
    await first.daemon.stop();
    // A worker process records a failed run while no daemon runs.
    const worker = await openStorage({ path: join(where, 'cairn.db') });
    await worker.append([
      {
        type: 'run_finished',
        timestamp: new Date().toISOString(),
        runId: 'while-nobody-led',
        status: 'failure',
        error: { name: 'Error', message: 'disk full' },
      },
    ]);
    await worker.close();
    const next = await automationDaemon(defs, where, options);
    cleanups.push(() => next.daemon.stop());
    await expect.poll(() => hook.bodies.length, { timeout: 5000 }).toBe(1);
    expect(hook.bodies[0]).toMatchObject({
      event: 'run_failure',
      runId: 'while-nobody-led',
      error: 'disk full',
      eventId: expect.any(Number),
    });
    // The cursor moved: a third start alerts nothing again.
    await next.daemon.stop();
    const third = await automationDaemon(defs, where, options);
    cleanups.push(() => third.daemon.stop());
    await third.daemon.alerts.idle();
    expect(hook.calls()).toBe(1);
  });

  it('a delivery left pending by a stopped or dead leader is delivered by the next one', async () => {
    const hook = await webhook([503, 200]);
    const broken = asset({ key: 'broken' }, () => {
      throw new Error('boom');
    });
    const defs = definitions({ assets: [broken] });
    const where = home();
    const options = {
      alerts: [{ url: hook.url, events: ['run_failure' as const] }],
      alertDelivery: { baseDelayMs: 600_000 },
    };
    const first = await automationDaemon(defs, where, options);
    const { runId } = await first.daemon.submit({ selection: 'broken' });
    await first.daemon.waitForRun(runId);
    await expect.poll(async () => (await first.daemon.alerts.deliveries())[0]?.attempts).toBe(1);
    await first.daemon.stop(); // its retry was 10 minutes away
    expect(hook.calls()).toBe(1);
    const next = await automationDaemon(defs, where, options);
    cleanups.push(() => next.daemon.stop());
    await expect
      .poll(async () => (await next.daemon.alerts.deliveries())[0]?.status, { timeout: 5000 })
      .toBe('delivered');
    expect(hook.calls()).toBe(2);
    expect(hook.bodies).toEqual([expect.objectContaining({ event: 'run_failure', runId })]);
    expect((await next.daemon.alerts.deliveries())[0]).toMatchObject({ attempts: 2 });
  });
});
