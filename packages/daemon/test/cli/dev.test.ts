import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, eventually, spawnServer, tempDir } from './cli-helpers.js';

afterAll(cleanup);

const repoNodeModules = fileURLToPath(new URL('../../../../node_modules', import.meta.url));

async function assetKeys(url: string): Promise<string[]> {
  const res = await fetch(`${url}/api/graph`);
  const graph = (await res.json()) as { nodes: { key: string }[] };
  return graph.nodes.map((n) => n.key);
}

describe('cairn dev', () => {
  it('serves the definitions of package.json, reloads on change, keeps the old ones on a load error', {
    timeout: 120_000,
  }, async () => {
    // A project in a temp dir: package.json names the definitions; node_modules links the repo's.
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
    const dev = await spawnServer(['dev', '--port', '0', '--home', join(project, '.cairn')], {
      cwd: project,
    });
    expect(dev.output()).toMatch(/cairn dev: serving http:\/\/127\.0\.0\.1:\d+/);
    expect(await assetKeys(dev.url)).toEqual(['first']);

    // Editing an imported file (not the module itself) reloads.
    writeFileSync(
      join(project, 'src/extra.ts'),
      `import { asset } from '@cairn/core';
export const extra = [asset({ key: 'second' }, () => 2)];
`,
    );
    await eventually(async () =>
      (await assetKeys(dev.url)).includes('second') ? true : undefined,
    );
    expect(dev.output()).toContain('reloaded the definitions');

    // A broken file: the error is printed and the running definitions stay.
    writeFileSync(join(project, 'src/extra.ts'), 'export const extra = [;\n');
    await eventually(async () =>
      dev.output().includes('failed to load; keeping the previous ones') ? true : undefined,
    );
    expect(dev.output()).toContain('CAIRN_DEFINITIONS_LOAD_FAILED');
    expect(await assetKeys(dev.url)).toEqual(['first', 'second']);

    expect(await dev.stop()).toBe(0);
    expect(dev.output()).toContain('cairn dev: stopped.');
  });
});
