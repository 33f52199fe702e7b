import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { listen } from '../../src/api/build-app.js';
import { testApi } from './helpers.js';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups) await c();
  cleanups = [];
});

async function setup(options: Parameters<typeof testApi>[0] = {}) {
  const t = await testApi(options);
  cleanups.push(t.cleanup);
  return t;
}

describe('auth', () => {
  it('needs the bearer token on every route but health when a token is configured', async () => {
    const { app } = await setup({ token: 's3cret' });
    expect((await app.inject({ url: '/api/health' })).statusCode).toBe(200);
    for (const url of ['/api/graph', '/api/runs', '/metrics', '/api/openapi.json', '/api/nope']) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBe(401);
      expect(r.json().error.code).toBe('CAIRN_UNAUTHORIZED');
      expect(r.headers['www-authenticate']).toBe('Bearer');
    }
    const wrong = await app.inject({
      url: '/api/graph',
      headers: { authorization: 'Bearer s3cre' },
    });
    expect(wrong.statusCode).toBe(401);
    const basic = await app.inject({
      url: '/api/graph',
      headers: { authorization: 'Basic czNjcmV0' },
    });
    expect(basic.statusCode).toBe(401);
    const ok = await app.inject({ url: '/api/graph', headers: { authorization: 'Bearer s3cret' } });
    expect(ok.statusCode).toBe(200);
    // A rejected POST changes nothing.
    const post = await app.inject({
      method: 'POST',
      url: '/api/runs',
      payload: { selection: 'shop/raw_orders' },
    });
    expect(post.statusCode).toBe(401);
  });

  it('is open without a token', async () => {
    const { app } = await setup();
    expect((await app.inject({ url: '/api/graph' })).statusCode).toBe(200);
  });
});

describe('CORS and limits', () => {
  it('sends no CORS headers unless origins are configured', async () => {
    const { app } = await setup();
    const r = await app.inject({ url: '/api/health', headers: { origin: 'http://evil.example' } });
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows only the configured origins, preflight included (even with a token)', async () => {
    const { app } = await setup({ corsOrigins: ['http://localhost:5173'], token: 't' });
    const ok = await app.inject({
      url: '/api/health',
      headers: { origin: 'http://localhost:5173' },
    });
    expect(ok.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    const other = await app.inject({
      url: '/api/health',
      headers: { origin: 'http://evil.example' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/api/runs',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('http://localhost:5173');
  });

  it('answers 413 for bodies over the limit and 404 JSON for unknown routes', async () => {
    const { app, daemon } = await setup({ bodyLimit: 1024 });
    const big = await app.inject({
      method: 'POST',
      url: '/api/runs',
      payload: { selection: 'shop/raw_orders', tags: { pad: 'x'.repeat(2000) } },
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('CAIRN_BODY_TOO_LARGE');
    expect((await daemon.storage.getRuns()).runs).toHaveLength(0);
    const nf = await app.inject({ url: '/api/nothing/here' });
    expect(nf.statusCode).toBe(404);
    expect(nf.json().error.code).toBe('CAIRN_ROUTE_NOT_FOUND');
  });
});

function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('real port', () => {
  it('listens on 127.0.0.1 by default and serves the same routes with auth', async () => {
    const { app } = await setup({ token: 'tok' });
    const base = await listen(app, { port: 0 });
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await get(`${base}/api/health`)).status).toBe(200);
    expect((await get(`${base}/api/graph`)).status).toBe(401);
    const graph = await get(`${base}/api/graph`, { authorization: 'Bearer tok' });
    expect(graph.status).toBe(200);
    expect(JSON.parse(graph.body).nodes.length).toBe(6);
    const asset = await get(`${base}/api/assets/shop%2Forders`, { authorization: 'Bearer tok' });
    expect(JSON.parse(asset.body).asset.key).toBe('shop/orders');
  });
});
