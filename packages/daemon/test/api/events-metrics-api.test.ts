import { request as httpRequest, type IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { listen } from '../../src/api/build-app.js';
import { testApi } from './helpers.js';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function setup(options: Parameters<typeof testApi>[0] = {}) {
  const t = await testApi(options);
  cleanups.push(t.cleanup);
  return t;
}

interface SseEvent {
  id: number;
  type: string;
  data: Record<string, unknown>;
}

/** Opens an SSE stream and collects parsed events and comment lines until closed. */
function openStream(url: string) {
  const events: SseEvent[] = [];
  const comments: string[] = [];
  let res: IncomingMessage | undefined;
  let waiters: (() => void)[] = [];
  let buffer = '';
  const req = httpRequest(url, (r) => {
    res = r;
    r.setEncoding('utf8');
    r.on('data', (chunk: string) => {
      buffer += chunk;
      let cut = buffer.indexOf('\n\n');
      while (cut >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const lines = block.split('\n');
        if (lines.every((l) => l.startsWith(':'))) comments.push(...lines);
        else {
          const field = (name: string) =>
            lines.find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
          events.push({
            id: Number(field('id')),
            type: field('event') ?? '',
            data: JSON.parse(field('data') ?? '{}'),
          });
        }
        cut = buffer.indexOf('\n\n');
      }
      for (const w of waiters) w();
      waiters = [];
    });
  });
  req.end();
  const until = async (pred: () => boolean) => {
    while (!pred()) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return {
    events,
    comments,
    until,
    headers: () => res?.headers,
    onEnd: (fn: () => void) => {
      if (res === undefined) req.once('response', (r) => r.once('end', fn));
      else res.once('end', fn);
    },
    close: () => {
      req.destroy();
    },
  };
}

describe('GET /api/events', () => {
  it('streams events live and catches up from after=<id> on reconnect', async () => {
    const { app, daemon } = await setup({ heartbeatMs: 50 });
    const base = await listen(app, { port: 0 });
    const live = openStream(`${base}/api/events`);
    cleanups.push(async () => live.close());
    await live.until(() => live.comments.includes(': connected'));
    expect(live.headers()?.['content-type']).toMatch(/^text\/event-stream/);

    const { runId } = await daemon.submit({ selection: ['shop/raw_orders', 'shop/orders'] });
    await daemon.waitForRun(runId);
    await live.until(() => live.events.some((e) => e.type === 'run_finished'));
    const types = live.events.map((e) => e.type);
    expect(types[0]).toBe('run_queued');
    expect(types).toContain('materialization');
    expect(live.events.every((e) => e.data.id === e.id)).toBe(true);
    const ids = live.events.map((e) => e.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    await live.until(() => live.comments.includes(': heartbeat'));

    // Events appended outside the coordinator (a backfill) are delivered too, by the poll.
    await daemon.backfills.create({ selection: 'daily', partitions: ['d1'], backfillId: 'bfx' });
    await live.until(() => live.events.some((e) => e.type === 'backfill_requested'));

    const cut = live.events.find((e) => e.type === 'run_started')!.id;
    const replay = openStream(`${base}/api/events?after=${cut}`);
    cleanups.push(async () => replay.close());
    const lastId = await daemon.storage.getLastEventId();
    await replay.until(() => replay.events.some((e) => e.id >= lastId));
    expect(replay.events[0]!.id).toBe(cut + 1);
    const replayIds = replay.events.map((e) => e.id);
    expect(new Set(replayIds).size).toBe(replayIds.length);
    const all = (await daemon.storage.getEventsAfter(cut)).records.map((r) => r.id);
    expect(replayIds.slice(0, all.length)).toEqual(all);
  }, 30_000);

  it('ends open streams when the app closes', async () => {
    const { app } = await setup();
    const base = await listen(app, { port: 0 });
    const stream = openStream(`${base}/api/events`);
    await stream.until(() => stream.comments.includes(': connected'));
    const ended = new Promise<void>((resolve) => stream.onEnd(resolve));
    await app.close();
    await ended;
  });

  it('rejects a bad after with 400', async () => {
    const { app } = await setup();
    const r = await app.inject({ url: '/api/events?after=x' });
    expect(r.statusCode).toBe(400);
  });
});

describe('GET /metrics', () => {
  it('exposes runs by status, queue depth, partitions per asset, freshness lag and step durations', async () => {
    const { app, daemon } = await setup();
    await listen(app, { port: 0 });
    const { runId } = await daemon.submit({ selection: ['shop/raw_orders', 'shop/orders'] });
    await daemon.waitForRun(runId);
    const { runId: r2 } = await daemon.submit({ selection: 'daily', partitionKey: 'd1' });
    await daemon.waitForRun(r2);
    let text = '';
    // The step histogram is fed by the event follower, which may trail the run's end slightly.
    for (let i = 0; i < 100; i++) {
      const res = await app.inject({ url: '/metrics' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      text = res.body;
      if (/cairn_step_duration_seconds_count\{status="succeeded"\} 3/.test(text)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(text).toContain('cairn_runs{status="success"} 2');
    expect(text).toContain('cairn_runs{status="queued"} 0');
    expect(text).toContain('cairn_run_queue_depth 0');
    expect(text).toContain('cairn_asset_partitions{asset="daily",status="materialized"} 1');
    expect(text).toContain('cairn_asset_partitions{asset="daily",status="missing"} 5');
    expect(text).toContain('cairn_asset_partitions{asset="shop/orders",status="materialized"} 1');
    expect(text).toMatch(/cairn_asset_freshness_lag_minutes\{asset="shop\/orders"\} \d/);
    expect(text).toContain('cairn_step_duration_seconds_count{status="succeeded"} 3');
    expect(text).not.toMatch(/partition="/);
  }, 30_000);
});

describe('OpenAPI', () => {
  it('serves the OpenAPI document with every route and a docs page', async () => {
    const { app } = await setup();
    const doc = (await app.inject({ url: '/api/openapi.json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    const paths = Object.keys(doc.paths);
    for (const p of [
      '/api/health',
      '/api/graph',
      '/api/assets/{key}/partitions',
      '/api/runs/{id}/reexecute',
      '/api/backfills/{id}/retry-failed',
      '/api/schedules/{name}/ticks',
      '/api/automation/evaluations',
      '/api/dynamic-partitions/{name}',
      '/api/events',
      '/metrics',
    ]) {
      expect(paths, p).toContain(p);
    }
    expect(doc.paths['/api/runs'].post.requestBody).toBeDefined();
    const docs = await app.inject({ url: '/api/docs/' });
    expect([200, 302]).toContain(docs.statusCode);
  });
});
