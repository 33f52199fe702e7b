import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../src/api/api-context.js';
import { buildApp } from '../../src/api/build-app.js';
import { createDaemon, type Daemon } from '../../src/daemon.js';
import { inProcessPool } from '../runs/in-process-pool.js';
import defs from './fixtures/api-defs.js';
import { dbFingerprint } from './helpers.js';

/**
 * Property tests over EVERY route of the OpenAPI document: random and malformed path params,
 * query strings and bodies never produce a 500 (501 only where the daemon lacks the part), always
 * answer errors in the `{ error: { code, message, details } }` shape, and leave the database
 * unchanged (last event id and every derived table) when rejected. The daemon does not dispatch
 * (autoStart: false), so only the requests themselves change the database.
 */

let daemon: Daemon;
let app: ApiApp;
let home: string;
let routes: { method: string; path: string; op: Record<string, unknown> }[] = [];

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'cairn-api-prop-'));
  process.env.CAIRN_API_FIXTURE_DIR = home;
  daemon = await createDaemon({
    definitions: defs,
    home,
    workerPool: inProcessPool(defs, home, 1),
    autoStart: false,
  });
  app = await buildApp({ daemon });
  await daemon.reportMaterialization({ assetKey: 'ext', partitionKey: 'x' });
  await daemon.submit({ selection: 'shop/raw_orders' });
  const doc = (await app.inject({ url: '/api/openapi.json' })).json() as {
    paths: Record<string, Record<string, Record<string, unknown>>>;
  };
  routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
  );
});

afterAll(async () => {
  await app.close();
  await daemon.stop();
  rmSync(home, { recursive: true, force: true });
});

const junk = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom(
    '',
    ' ',
    '%',
    '%2',
    '%ZZ',
    '..',
    '../..',
    '\u0000',
    '😀',
    '-1',
    '1e999',
    'NaN',
    'null',
    '[]',
    '{}',
    'a=b',
    '0',
    '99999999999999999999',
  ),
  fc.integer().map(String),
);
const knownParam = fc.constantFrom(
  'shop%2Forders',
  'daily',
  'ext',
  'nope',
  'regions',
  'bf1',
  'run_x',
  'sched',
);

const paramValue = fc.oneof(
  knownParam,
  junk.map((s) => encodeURIComponent(s)),
  junk,
);

const queryValue = fc.oneof(
  junk,
  fc.constantFrom(
    '1',
    '1000',
    '1001',
    'd1',
    'x',
    'materialized',
    'missing',
    'stale',
    'success',
    'k=v',
  ),
);

const body = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 3 }),
  fc.record(
    {
      selection: fc.oneof(
        fc.string({ maxLength: 10 }),
        fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
        fc.constant('nope'),
        fc.constant(''),
        fc.integer(),
      ),
      partitions: fc.oneof(
        fc.jsonValue({ maxDepth: 2 }),
        fc.record({ keys: fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }) }),
      ),
      kind: fc.oneof(fc.constantFrom('materialization', 'observation', 'bogus'), fc.integer()),
      partitionKey: fc.oneof(fc.constantFrom('zz', 'd9', ''), fc.integer()),
      partitionKeys: fc.oneof(
        fc.constant([]),
        fc.array(fc.constantFrom('q', '', 'zz'), { maxLength: 2 }),
        fc.string(),
      ),
      add: fc.oneof(fc.constant([]), fc.integer(), fc.array(fc.integer(), { maxLength: 2 })),
      remove: fc.oneof(fc.constant([]), fc.string()),
      fromFailure: fc.oneof(fc.string(), fc.integer()),
      priority: fc.oneof(fc.double(), fc.string()),
      tags: fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.constant({ a: 1 })),
    },
    { requiredKeys: [] },
  ),
);

const rawBody = fc.oneof(
  fc.constantFrom(
    '{',
    '{"selection":',
    '[1,2',
    'null',
    '""',
    'not json',
    '{"__proto__":{"x":1}}',
    '\u0000',
  ),
  fc.string({ maxLength: 40 }),
);

/** The request a sample describes. */
interface Sample {
  params: string[];
  query: [string, string][];
  body: unknown;
  raw: string | undefined;
  contentType: string;
}

const sample = fc.record({
  params: fc.array(paramValue, { minLength: 3, maxLength: 3 }),
  query: fc.array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom(
          'limit',
          'cursor',
          'status',
          'partition',
          'offset',
          'after',
          'asset',
          'tag',
          'select',
          'group',
          'step',
          'backfill',
        ),
        fc.string({ maxLength: 6 }),
      ),
      queryValue,
    ),
    { maxLength: 4 },
  ),
  body,
  raw: fc.option(rawBody, { nil: undefined }),
  contentType: fc.constantFrom(
    'application/json',
    'application/json',
    'text/plain',
    'application/x-www-form-urlencoded',
    '',
  ),
});

function urlOf(path: string, s: Sample): string {
  let i = 0;
  const filled = path.replace(/\{[^}]+\}/g, () => s.params[i++] ?? 'x');
  const qs = s.query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  return qs === '' ? filled : `${filled}?${qs}`;
}

// Streams never end on success; only malformed `after` values are sent to /api/events.
const notDigits = fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !/^\d+$/.test(s));

/** Fails with the request instead of hanging the suite when a request never answers. */
async function withTimeout<T>(p: Promise<T>, where: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within 10 s: ${where}`)), 10_000);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('every route under random and malformed input', () => {
  it('covers the whole route table', () => {
    expect(routes.length).toBeGreaterThanOrEqual(30);
  });

  it('never answers 500, always the error shape, and rejected requests change nothing', async () => {
    for (const route of routes) {
      if (process.env.CAIRN_PROP_DEBUG) console.error('route', route.method, route.path);
      if (route.path === '/api/events') {
        await fc.assert(
          fc.asyncProperty(notDigits, async (after) => {
            const r = await app.inject({ url: `/api/events?after=${encodeURIComponent(after)}` });
            expect(r.statusCode).toBe(400);
          }),
          { numRuns: 20 },
        );
        continue;
      }
      await fc.assert(
        fc.asyncProperty(sample, async (s) => {
          // `..` segments can normalize into /api/events, whose success is an endless stream.
          if (new URL(urlOf(route.path, s), 'http://h').pathname === '/api/events') return;
          const before = await dbFingerprint(daemon);
          const withBody = route.method === 'POST';
          const payload = withBody
            ? (s.raw ?? (s.body === undefined ? undefined : JSON.stringify(s.body)))
            : undefined;
          const headers: Record<string, string> = {};
          if (withBody && payload !== undefined && s.contentType !== '')
            headers['content-type'] = s.contentType;
          if (process.env.CAIRN_PROP_DEBUG)
            console.error('  ', route.method, urlOf(route.path, s), String(payload).slice(0, 80));
          const where = `${route.method} ${urlOf(route.path, s)} ${String(payload)}`;
          const res = await withTimeout(
            app.inject({
              method: route.method as 'GET' | 'POST',
              url: urlOf(route.path, s),
              headers,
              ...(payload === undefined ? {} : { payload }),
            }),
            where,
          );
          expect(res.statusCode, `${where} → ${res.body}`).not.toBe(500);
          expect(res.statusCode, where).toBeLessThan(502);
          if (res.statusCode >= 400) {
            const err = res.json().error;
            expect(typeof err?.code, where).toBe('string');
            expect(typeof err?.message, where).toBe('string');
            expect(typeof err?.details, where).toBe('object');
            expect(await dbFingerprint(daemon), `${where} changed the database`).toBe(before);
          }
        }),
        { numRuns: 30 },
      );
    }
  }, 300_000);
});
