import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UI_DIST } from '../../src/cli/static-ui.js';
import {
  pgAdmin,
  postgresSkipReason,
  TEST_DATABASE_URL,
  testDatabase,
} from '../storage-dialects/dialects.js';
import {
  cairn,
  cleanup,
  eventually,
  RUNS_DEFS,
  type RunningCli,
  spawnServer,
  tempDir,
} from './cli-helpers.js';

/** The commands that talk to a daemon, against a real `cairn start` on a free port. */

let server: RunningCli;
let home = '';
const api = (...args: string[]) => cairn([...args, '--url', server.url]);
const json = async (...args: string[]) => {
  const r = await api(...args, '--json');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Record<string, any>;
};

/** A port nothing listens on (bound, then released). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  home = tempDir('cairn-cli-api-');
  server = await spawnServer(
    ['start', '--defs', RUNS_DEFS, '--home', home, '--port', '0', '--workers', '1'],
    { env: { CAIRN_RUNS_FIXTURE_DIR: home } },
  );
}, 60_000);

afterAll(async () => {
  expect(await server.stop()).toBe(0);
  expect(server.output()).toContain('cairn start: stopped.');
  await cleanup();
}, 60_000);

describe('cairn start', () => {
  it('serves the API and a page at / that says the UI is not built yet', async () => {
    const health = (await (await fetch(`${server.url}/api/health`)).json()) as { status: string };
    expect(health.status).toBe('ok');
    const page = await (await fetch(`${server.url}/`)).text();
    // The UI's build when packages/ui has one, else the placeholder that links the API docs.
    const index = join(UI_DIST, 'index.html');
    if (existsSync(index)) expect(page).toBe(readFileSync(index, 'utf8'));
    else expect(page).toContain('The web UI is not built yet');
    // API paths stay the API's, 404 included.
    const missing = await fetch(`${server.url}/api/nope`);
    expect(missing.status).toBe(404);
  });

  it.skipIf(postgresSkipReason !== undefined)(
    'stores everything in Postgres with --database-url',
    { timeout: 90_000 },
    async () => {
      const db = testDatabase('cairn_cli');
      await db.create();
      const admin = (sql: string, target = TEST_DATABASE_URL) =>
        pgAdmin((c) => c.query(sql), target);
      const pgHome = tempDir('cairn-cli-pg-');
      const pgServer = await spawnServer(
        ['start', '--defs', RUNS_DEFS, '--home', pgHome, '--port', '0', '--workers', '1'],
        { env: { CAIRN_RUNS_FIXTURE_DIR: pgHome, CAIRN_DATABASE_URL: db.url } },
      );
      try {
        const res = await fetch(`${pgServer.url}/api/runs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ selection: 'a' }),
        });
        const { runId } = (await res.json()) as { runId: string };
        await eventually(
          async () => {
            const run = (await (await fetch(`${pgServer.url}/api/runs/${runId}`)).json()) as {
              run: { status: string };
            };
            return run.run.status === 'success' ? run : undefined;
          },
          { withinMs: 30_000, explain: () => pgServer.output() },
        );
        const rows = await admin(
          `select count(*)::int as n from event_log where run_id = '${runId}' and type = 'materialization'`,
          db.url,
        );
        expect(rows.rows[0].n).toBe(1);
        expect(existsSync(join(pgHome, 'cairn.db'))).toBe(false);
      } finally {
        expect(await pgServer.stop()).toBe(0);
        await db.drop();
      }
    },
  );
});

describe('cairn runs', () => {
  it('lists, shows and re-executes runs; --json shapes', { timeout: 60_000 }, async () => {
    const res = await fetch(`${server.url}/api/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ selection: '+b' }),
    });
    const { runId } = (await res.json()) as { runId: string };
    await eventually(
      async () => {
        const { run } = await json('runs', 'show', runId);
        return run.status === 'success' ? true : undefined;
      },
      { withinMs: 30_000, explain: () => server.output() },
    );
    const list = await json('runs', 'list');
    expect(list.runs.map((r: { runId: string }) => r.runId)).toContain(runId);
    expect(list).toHaveProperty('nextCursor');
    const text = await api('runs');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`${runId}\\s+success\\s+\\+b`));
    const detail = await json('runs', 'show', runId);
    expect(detail.steps.map((s: { stepKey: string }) => s.stepKey).sort()).toEqual(['a', 'b']);
    const again = await json('runs', 'reexecute', runId, '--all');
    expect(again.runId).toEqual(expect.any(String));
    // Cancelling a finished run is a conflict (409): exit 1.
    const cancel = await api('runs', 'cancel', runId);
    expect(cancel.code).toBe(1);
    expect(cancel.stderr).toMatch(/^error: CAIRN_/);
  });

  it('exits 2 for an unknown run (404) and 1 with no daemon at the URL', {
    timeout: 30_000,
  }, async () => {
    const port = await freePort();
    const [unknown, down] = await Promise.all([
      api('runs', 'show', 'no-such-run'),
      cairn(['runs', 'list', '--url', `http://127.0.0.1:${port}`]),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no-such-run');
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(
      `no daemon at http://127.0.0.1:${port}: start one with \`cairn start\` or \`cairn dev\``,
    );
  });
});

describe('cairn backfill', () => {
  it('creates, lists, shows, cancels, resumes and retries', { timeout: 90_000 }, async () => {
    const { backfillId } = await json(
      'backfill',
      'create',
      '--select',
      'daily',
      '--from',
      'p1',
      '--to',
      'p4',
    );
    expect(backfillId).toEqual(expect.any(String));
    const done = await eventually(
      async () => {
        const { backfill } = await json('backfill', 'show', backfillId);
        return backfill.state === 'completed' ? backfill : undefined;
      },
      { withinMs: 30_000, explain: () => server.output() },
    );
    expect(done.counts.materialized).toBe(4);
    const list = await json('backfill', 'list');
    expect(list.backfills.map((b: { backfillId: string }) => b.backfillId)).toContain(backfillId);
    const shown = await api('backfill', 'show', backfillId, '--watch');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`Backfill ${backfillId}: completed, 4/4 done`);
    for (const action of ['cancel', 'resume', 'retry-failed']) {
      const r = await api('backfill', action, backfillId);
      expect(r.code, `${action}: ${r.stderr}`).not.toBe(2);
    }
    const unknown = await api('backfill', 'cancel', 'bf_nope');
    expect(unknown.code).toBe(2);
    const usage = await api('backfill', 'create', '--select', 'daily');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('give exactly one of');
  });
});

describe('cairn status and wipe', () => {
  it('prints status counts, one asset in detail, and wipes partitions', {
    timeout: 60_000,
  }, async () => {
    const all = await json('status');
    expect(all.assets.map((a: { key: string }) => a.key)).toContain('daily');
    const text = await api('status');
    expect(text.stdout).toMatch(/^asset\s+total\s+materialized/);
    const one = await json('status', 'daily');
    expect(one.partitions.total).toBe(4);
    const wiped = await json('wipe', 'daily', '--partition', 'p1', '--partition', 'p2');
    expect(wiped).toEqual({ asset: 'daily', wiped: 2 });
    const after = await json('status', 'daily');
    expect(after.partitions.counts.materialized).toBe(one.partitions.counts.materialized - 2);
    const unknown = await api('wipe', 'no_such_asset');
    expect(unknown.code).toBe(2);
  });
});

describe('tokens', () => {
  it('sends --token (or CAIRN_API_TOKEN) as a bearer token', { timeout: 60_000 }, async () => {
    const secured = await spawnServer(
      ['start', '--defs', RUNS_DEFS, '--home', tempDir(), '--port', '0', '--token', 's3cret'],
      { env: { CAIRN_RUNS_FIXTURE_DIR: home } },
    );
    try {
      const [without, withFlag, withEnv] = await Promise.all([
        cairn(['runs', '--url', secured.url]),
        cairn(['runs', '--url', secured.url, '--token', 's3cret']),
        cairn(['runs', '--url', secured.url], { env: { CAIRN_API_TOKEN: 's3cret' } }),
      ]);
      expect(without.code).toBe(1);
      expect(without.stderr).toContain('CAIRN_UNAUTHORIZED');
      expect(withFlag.code).toBe(0);
      expect(withEnv.code).toBe(0);
    } finally {
      await secured.stop();
    }
  });
});
