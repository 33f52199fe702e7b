import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cairn, cleanup, eventually, RUNS_DEFS, spawnServer, tempDir } from './cli-helpers.js';

afterAll(cleanup);

const repoNodeModules = fileURLToPath(new URL('../../../../node_modules', import.meta.url));

async function assetKeys(url: string): Promise<string[]> {
  const res = await fetch(`${url}/api/graph`);
  const graph = (await res.json()) as { nodes: { key: string }[] };
  return graph.nodes.map((n) => n.key);
}

/** Listens on 127.0.0.1:port; undefined when the port is taken. */
function tryListen(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** A project in a temp dir: package.json names the definitions; node_modules links the repo's. */
function devProject(): string {
  const project = tempDir('cairn-dev-');
  symlinkSync(repoNodeModules, join(project, 'node_modules'), 'dir');
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ type: 'module', cairn: { defs: 'src/defs.ts' } }),
  );
  mkdirSync(join(project, 'src'));
  writeFileSync(
    join(project, 'src/defs.ts'),
    `import { asset, definitions } from '@cairn/core';
import { extra } from './extra.js';
export const first = asset({ key: 'first' }, () => 1);
export default definitions({ assets: [first, ...extra] });
`,
  );
  writeFileSync(join(project, 'src/extra.ts'), 'export const extra = [];\n');
  return project;
}

const SECOND_ASSET = `import { asset } from '@cairn/core';
export const extra = [asset({ key: 'second' }, () => 2)];
`;

describe('cairn dev', () => {
  it('serves the definitions of package.json, reloads on change, keeps the old ones on a load error', {
    timeout: 120_000,
  }, async () => {
    const project = devProject();
    const dev = await spawnServer(['dev', '--port', '0', '--home', join(project, '.cairn')], {
      cwd: project,
    });
    expect(dev.output()).toMatch(/cairn dev: serving http:\/\/127\.0\.0\.1:\d+/);
    expect(await assetKeys(dev.url)).toEqual(['first']);

    // Editing an imported file (not the module itself) reloads.
    writeFileSync(join(project, 'src/extra.ts'), SECOND_ASSET);
    const explain = () => `cairn dev printed:\n${dev.output()}`;
    // The new server can answer before cairn dev has relayed its "listening" line: wait for both.
    await eventually(
      async () =>
        dev.output().includes('reloaded the definitions') &&
        (await assetKeys(dev.url)).includes('second')
          ? true
          : undefined,
      { withinMs: 50_000, explain },
    );

    // A broken file: the error is printed and the running definitions stay.
    writeFileSync(join(project, 'src/extra.ts'), 'export const extra = [;\n');
    await eventually(
      async () =>
        dev.output().includes('failed to load; keeping the previous ones') ? true : undefined,
      { withinMs: 50_000, explain },
    );
    expect(dev.output()).toContain('CAIRN_DEFINITIONS_LOAD_FAILED');
    expect(await assetKeys(dev.url)).toEqual(['first', 'second']);

    expect(await dev.stop()).toBe(0);
    expect(dev.output()).toContain('cairn dev: stopped.');
  });

  /** Starts cairn dev, edits a file, and takes the server's port the moment the old one lets go. */
  async function takePortDuringReload(env: Record<string, string> = {}) {
    const project = devProject();
    const dev = await spawnServer(['dev', '--port', '0', '--home', join(project, '.cairn')], {
      cwd: project,
      env,
    });
    const explain = () => `cairn dev printed:\n${dev.output()}`;
    const port = Number(new URL(dev.url).port);
    writeFileSync(join(project, 'src/extra.ts'), SECOND_ASSET);
    // The new server needs a second to boot: polling every 5 ms takes the port first.
    const holder = await eventually(() => tryListen(port), {
      everyMs: 5,
      withinMs: 50_000,
      explain,
    });
    const release = () => new Promise((r) => holder.close(r));
    return { dev, port, explain, release };
  }

  const serves = (url: string) => async () =>
    (await assetKeys(url)).includes('second') ? true : undefined;

  it('waits for its port when another process takes it during a reload', {
    timeout: 120_000,
  }, async () => {
    const { dev, port, explain, release } = await takePortDuringReload();
    try {
      await eventually(
        async () => (dev.output().includes(`port ${port} is taken`) ? true : undefined),
        { withinMs: 50_000, explain },
      );
    } finally {
      await release();
    }
    // Same URL once the port is free again, with the new definitions.
    await eventually(
      async () =>
        dev.output().includes('reloaded the definitions') && (await serves(dev.url)())
          ? true
          : undefined,
      { withinMs: 50_000, explain },
    );
    expect(dev.output()).not.toContain('did not restart');
    // The failed attempts' errors are not printed: they were retried.
    expect(dev.output()).not.toContain('CAIRN_PORT_IN_USE');
    expect(await dev.stop()).toBe(0);
  });

  it('moves to a free port when --port 0 stays taken past the wait', {
    timeout: 120_000,
  }, async () => {
    const { dev, port, explain, release } = await takePortDuringReload({
      CAIRN_DEV_PORT_WAIT_MS: '1000',
    });
    try {
      const url = await eventually(
        async () =>
          /reloaded the definitions; serving (http:\/\/127\.0\.0\.1:\d+)/.exec(dev.output())?.[1],
        { withinMs: 50_000, explain },
      );
      expect(dev.output()).toContain(`port ${port} is still taken; moving to a free port.`);
      expect(url).not.toBe(dev.url);
      await eventually(serves(url), { withinMs: 20_000, explain });
    } finally {
      await release();
    }
    expect(await dev.stop()).toBe(0);
  });
});

describe('cairn start', () => {
  it('names a port another process holds and says what to do', { timeout: 60_000 }, async () => {
    const holder = await tryListen(0);
    const address = holder?.address();
    if (holder === undefined || address === null || typeof address !== 'object') {
      throw new Error('could not listen on a free port');
    }
    try {
      const home = tempDir('cairn-port-');
      const result = await cairn([
        'start',
        '--defs',
        RUNS_DEFS,
        '--home',
        home,
        '--host',
        '127.0.0.1',
        '--port',
        String(address.port),
      ]);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(
        `CAIRN_PORT_IN_USE: port ${address.port} on 127.0.0.1 is in use by another process: pass --port with a free port`,
      );
    } finally {
      await new Promise((r) => holder.close(r));
    }
  });
});
