import { execFile } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The published packages, as a user installs them: `@cairn/core` and `@cairn/daemon` compiled by
 * their `build` scripts' tsconfig (into a temp folder, not the workspace), laid out in a
 * node_modules of their own, and used from plain Node with no tsx and no `@cairn/source`
 * condition: definitions in a .mjs module, a daemon forking its workers from the compiled
 * worker entry, a run that succeeds.
 */

const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const work = mkdtempSync(join(tmpdir(), 'cairn-published-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function build(pkg: 'core' | 'daemon'): Promise<void> {
  const dir = join(ROOT, 'packages', pkg);
  const target = join(work, 'node_modules/@cairn', pkg);
  mkdirSync(target, { recursive: true });
  await run(process.execPath, [
    TSC,
    '-p',
    join(dir, 'tsconfig.build.json'),
    '--outDir',
    join(target, 'dist'),
    '--sourceMap',
    'false',
  ]);
  cpSync(join(dir, 'package.json'), join(target, 'package.json'));
}

describe('published build', () => {
  it('compiles with the build config and runs a daemon from plain Node', async () => {
    await Promise.all([build('core'), build('daemon')]);
    // Third-party dependencies as npm would hoist them.
    for (const name of readdirSync(join(ROOT, 'node_modules'))) {
      if (name === '@cairn' || name.startsWith('.')) continue;
      symlinkSync(join(ROOT, 'node_modules', name), join(work, 'node_modules', name));
    }
    writeFileSync(
      join(work, 'defs.mjs'),
      `import { asset, dailyPartitions, definitions } from '@cairn/core';
const days = dailyPartitions({ start: '2024-01-01' });
const orders = asset({ key: 'orders', partitions: days }, (_, ctx) => [ctx.partitionKey]);
const revenue = asset({ key: 'revenue', partitions: days, deps: { orders } }, ({ orders }) => orders.length);
export default definitions({ assets: [orders, revenue] });
`,
    );
    writeFileSync(
      join(work, 'main.mjs'),
      `import { createDaemon } from '@cairn/daemon';
const daemon = await createDaemon({ defs: './defs.mjs', home: './home', workers: 1 });
const { runId } = await daemon.submit({ selection: '*', partitionKey: '2024-01-02' });
const record = await daemon.waitForRun(runId);
const status = await daemon.storage.getPartitionStatus('revenue', { totalPartitions: 3 });
console.log(JSON.stringify({ status: record.status, materialized: status.counts.materialized }));
await daemon.stop();
`,
    );
    const { stdout } = await run(process.execPath, ['main.mjs'], {
      cwd: work,
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual({
      status: 'success',
      materialized: 1,
    });
  }, 120_000);
});
