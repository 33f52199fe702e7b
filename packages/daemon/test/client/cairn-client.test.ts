import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Server, serve } from '../../src/cli/serve.js';
import { CairnApiError, createClient } from '../../src/client/cairn-client.js';

const defs = fileURLToPath(new URL('../fixtures/runs-defs.ts', import.meta.url));
let home = '';
let server: Server;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'cairn-client-'));
  process.env.CAIRN_RUNS_FIXTURE_DIR = home;
  server = await serve({ defs, home, port: 0, workers: 1, token: 'tok' });
}, 60_000);

afterAll(async () => {
  await server?.close();
  rmSync(home, { recursive: true, force: true });
}, 60_000);

describe('CairnClient', () => {
  it('reads health and the graph, and submits a run', { timeout: 30_000 }, async () => {
    const client = createClient({ url: server.url, token: 'tok' });
    expect(await client.health()).toMatchObject({ status: 'ok' });
    const graph = await client.graph();
    expect(graph.nodes.map((n) => n.key)).toContain('daily');
    const { runId } = await client.submitRun({ selection: 'a' });
    expect(runId).toEqual(expect.any(String));
    const { run } = await client.run(runId!);
    expect(run.runId).toBe(runId);
    // Asset keys go URL-encoded into paths.
    await expect(client.asset('shop/none')).rejects.toMatchObject({
      status: 404,
      code: 'CAIRN_UNKNOWN_ASSET',
    });
  });

  it('turns error answers into CairnApiError with the API code and status', async () => {
    const client = createClient({ url: server.url, token: 'tok' });
    const err = await client.run('nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CairnApiError);
    expect(err).toMatchObject({ status: 404, code: 'CAIRN_UNKNOWN_RUN' });
    await expect(createClient({ url: server.url, token: 'wrong' }).graph()).rejects.toMatchObject({
      status: 401,
      code: 'CAIRN_UNAUTHORIZED',
    });
    // Health needs no token.
    expect(await createClient({ url: server.url, token: '' }).health()).toMatchObject({
      status: 'ok',
    });
  });

  it('says there is no daemon when nothing listens at the URL', async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const { port } = srv.address() as { port: number };
        srv.close(() => resolve(port));
      });
    });
    const url = `http://127.0.0.1:${port}`;
    await expect(createClient({ url }).health()).rejects.toMatchObject({
      code: 'CAIRN_DAEMON_UNREACHABLE',
      message: `no daemon at ${url}: start one with \`cairn start\` or \`cairn dev\` (or pass --url / set CAIRN_URL).`,
    });
  });
});
