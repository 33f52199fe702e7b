import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testApi } from './helpers.js';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups) await c();
  cleanups = [];
});

async function setup() {
  const t = await testApi();
  cleanups.push(t.cleanup);
  return t;
}

describe('runs', () => {
  it('submits a run, lists and filters runs, shows steps, events and logs', async () => {
    const { app, daemon } = await setup();
    const res = await app.inject({
      method: 'POST',
      url: '/api/runs',
      payload: { selection: ['shop/raw_orders', 'shop/orders'], tags: { team: 'data' } },
    });
    expect(res.statusCode).toBe(201);
    const { runId } = res.json();
    await daemon.waitForRun(runId);
    const one = await app.inject({
      method: 'POST',
      url: '/api/runs',
      payload: { selection: 'daily', partitions: { keys: ['d1'] } },
    });
    expect(one.statusCode).toBe(201);
    await daemon.waitForRun(one.json().runId);

    const all = (await app.inject({ url: '/api/runs' })).json();
    expect(all.runs.map((r: { runId: string }) => r.runId)).toEqual([one.json().runId, runId]);
    expect(all.nextCursor).toBeNull();
    const paged = (await app.inject({ url: '/api/runs?limit=1' })).json();
    expect(paged.runs).toHaveLength(1);
    const next = (await app.inject({ url: `/api/runs?limit=1&cursor=${paged.nextCursor}` })).json();
    expect(next.runs.map((r: { runId: string }) => r.runId)).toEqual([runId]);
    const byTag = (await app.inject({ url: '/api/runs?tag=team=data' })).json();
    expect(byTag.runs.map((r: { runId: string }) => r.runId)).toEqual([runId]);
    const byAsset = (await app.inject({ url: '/api/runs?asset=daily&partition=d1' })).json();
    expect(byAsset.runs.map((r: { runId: string }) => r.runId)).toEqual([one.json().runId]);
    const byStatus = (await app.inject({ url: '/api/runs?status=failure' })).json();
    expect(byStatus.runs).toEqual([]);
    expect((await app.inject({ url: '/api/runs?status=weird' })).statusCode).toBe(400);
    expect((await app.inject({ url: '/api/runs?tag=novalue' })).statusCode).toBe(400);
    expect((await app.inject({ url: '/api/runs?limit=1001' })).statusCode).toBe(400);

    const detail = (await app.inject({ url: `/api/runs/${runId}` })).json();
    expect(detail.run).toMatchObject({ runId, status: 'success', tags: { team: 'data' } });
    expect(detail.steps.length).toBeGreaterThan(0);
    const events = (await app.inject({ url: `/api/runs/${runId}/events?limit=2` })).json();
    expect(events.events.map((e: { event: { type: string } }) => e.event.type)).toEqual([
      'run_queued',
      'run_started',
    ]);
    const after = (
      await app.inject({ url: `/api/runs/${runId}/events?after=${events.nextCursor}` })
    ).json();
    expect(after.events.at(-1).event.type).toBe('run_finished');
    const logs = await app.inject({ url: `/api/runs/${runId}/logs` });
    expect(logs.statusCode).toBe(200);
    expect(Array.isArray(logs.json().logs)).toBe(true);
    for (const url of ['/api/runs/nope', '/api/runs/nope/events', '/api/runs/nope/logs']) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBe(404);
      expect(r.json().error.code).toBe('CAIRN_UNKNOWN_RUN');
    }
  });

  it('rejects bad run requests with 400/404 and creates nothing', async () => {
    const { app, daemon } = await setup();
    const cases: [unknown, number, string][] = [
      [{}, 400, 'CAIRN_INVALID_REQUEST'],
      [{ selection: '' }, 400, 'CAIRN_INVALID_REQUEST'],
      [{ selection: 'a', extra: 1 }, 400, 'CAIRN_INVALID_REQUEST'],
      [{ selection: ['nope'] }, 404, 'CAIRN_UNKNOWN_ASSET'],
      [{ selection: 'daily', partitions: { keys: ['zz'] } }, 404, 'CAIRN_UNKNOWN_PARTITION'],
      [
        { selection: 'daily', partitions: { keys: ['d1'], range: { from: 'd1', to: 'd2' } } },
        400,
        'CAIRN_INVALID_REQUEST',
      ],
      [{ selection: 'shop/orders', priority: 1.5 }, 400, 'CAIRN_INVALID_REQUEST'],
    ];
    for (const [payload, status, code] of cases) {
      const r = await app.inject({ method: 'POST', url: '/api/runs', payload: payload as object });
      expect(r.statusCode, JSON.stringify(payload)).toBe(status);
      expect(r.json().error.code, JSON.stringify(payload)).toBe(code);
    }
    const malformed = await app.inject({
      method: 'POST',
      url: '/api/runs',
      payload: '{"selection":',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe('CAIRN_INVALID_REQUEST');
    const wrongType = await app.inject({
      method: 'POST',
      url: '/api/runs',
      payload: 'selection=a',
      headers: { 'content-type': 'text/plain' },
    });
    expect(wrongType.statusCode).toBe(400);
    expect((await daemon.storage.getRuns()).runs).toHaveLength(0);
  });

  it('turns many partitions into a backfill', async () => {
    const { app, daemon } = await setup();
    const res = await app.inject({
      method: 'POST',
      url: '/api/runs',
      payload: { selection: 'daily', partitions: { range: { from: 'd1', to: 'd3' } } },
    });
    expect(res.statusCode).toBe(201);
    const { backfillId } = res.json();
    expect(backfillId).toMatch(/^bf_/);
    const bf = await daemon.backfills.get(backfillId);
    expect(bf?.total).toBe(3);
  });

  it('cancels (409 when finished) and re-executes from failure', async () => {
    const { app, daemon, home } = await setup();
    writeFileSync(join(home, 'fail-orders'), '');
    const { runId } = await daemon.submit({ selection: ['shop/raw_orders', 'shop/orders'] });
    const run = await daemon.waitForRun(runId);
    expect(run.status).toBe('failure');
    const cancel = await app.inject({ method: 'POST', url: `/api/runs/${runId}/cancel` });
    expect(cancel.statusCode).toBe(409);
    expect(cancel.json().error.code).toBe('CAIRN_RUN_FINISHED');
    expect((await app.inject({ method: 'POST', url: '/api/runs/nope/cancel' })).statusCode).toBe(
      404,
    );
    const bad = await app.inject({
      method: 'POST',
      url: `/api/runs/${runId}/reexecute`,
      payload: { fromFailure: 'yes' },
    });
    expect(bad.statusCode).toBe(400);
    const re = await app.inject({
      method: 'POST',
      url: `/api/runs/${runId}/reexecute`,
      payload: {},
    });
    expect(re.statusCode).toBe(201);
    const child = await daemon.waitForRun(re.json().runId);
    expect(child.status).toBe('failure');
    const noBody = await app.inject({ method: 'POST', url: `/api/runs/${runId}/reexecute` });
    expect(noBody.statusCode).toBe(201);
    await daemon.waitForRun(noBody.json().runId);
  });

  it('refuses submits with 409 once the daemon has stopped', async () => {
    const { app, daemon } = await setup();
    await daemon.stop();
    const refused = await app.inject({
      method: 'POST',
      url: '/api/runs',
      payload: { selection: 'shop/raw_orders' },
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('CAIRN_DAEMON_STOPPED');
  });
});

describe('backfills', () => {
  it('creates, lists, shows, cancels, resumes and retries backfills', async () => {
    const { app } = await setup();
    const created = await app.inject({
      method: 'POST',
      url: '/api/backfills',
      payload: { selection: 'daily', partitions: { missing: true }, backfillId: 'bf1' },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual({ backfillId: 'bf1' });
    const dup = await app.inject({
      method: 'POST',
      url: '/api/backfills',
      payload: { selection: 'daily', partitions: { all: true }, backfillId: 'bf1' },
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe('CAIRN_BACKFILL_EXISTS');
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/backfills',
          payload: { selection: 'daily', partitions: {} },
        })
      ).statusCode,
    ).toBe(400);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/backfills',
          payload: { selection: 'shop/orders', partitions: { all: true } },
        })
      ).statusCode,
    ).toBe(400);
    const list = (await app.inject({ url: '/api/backfills' })).json();
    expect(list.backfills.map((b: { backfillId: string }) => b.backfillId)).toEqual(['bf1']);
    const detail = (await app.inject({ url: '/api/backfills/bf1' })).json();
    expect(detail.backfill).toMatchObject({
      backfillId: 'bf1',
      total: 6,
      assets: { daily: expect.any(Object) },
    });
    const cancel = await app.inject({ method: 'POST', url: '/api/backfills/bf1/cancel' });
    expect(cancel.statusCode).toBe(200);
    expect(['canceling', 'canceled', 'completed']).toContain(cancel.json().backfill.state);
    expect(
      (await app.inject({ method: 'POST', url: '/api/backfills/bf1/resume' })).statusCode,
    ).toBe(200);
    expect(
      (await app.inject({ method: 'POST', url: '/api/backfills/bf1/retry-failed' })).statusCode,
    ).toBe(200);
    for (const url of [
      '/api/backfills/nope/cancel',
      '/api/backfills/nope/resume',
      '/api/backfills/nope/retry-failed',
    ]) {
      const r = await app.inject({ method: 'POST', url });
      expect(r.statusCode, url).toBe(404);
    }
    expect((await app.inject({ url: '/api/backfills/nope' })).json().error.code).toBe(
      'CAIRN_UNKNOWN_BACKFILL',
    );
  });
});

describe('schedules, sensors and automation', () => {
  it('lists schedules and sensors, 404s unknown names, and serves evaluations', async () => {
    const { app } = await setup();
    expect((await app.inject({ url: '/api/schedules' })).json()).toEqual({ schedules: [] });
    expect((await app.inject({ url: '/api/sensors' })).json()).toEqual({ sensors: [] });
    for (const [method, url] of [
      ['POST', '/api/schedules/nope/start'],
      ['POST', '/api/schedules/nope/stop'],
      ['GET', '/api/schedules/nope/ticks'],
      ['POST', '/api/sensors/nope/start'],
      ['GET', '/api/sensors/nope/ticks'],
      ['GET', '/api/automation/evaluations?asset=nope'],
    ] as const) {
      const r = await app.inject({ method, url });
      expect(r.statusCode, url).toBe(404);
    }
    const evaluations = await app.inject({ url: '/api/automation/evaluations?limit=5' });
    expect(evaluations.statusCode).toBe(200);
    expect(evaluations.json()).toMatchObject({ evaluations: expect.any(Array), nextCursor: null });
    expect((await app.inject({ url: '/api/automation/evaluations?cursor=%%%' })).statusCode).toBe(
      400,
    );
  });
});
