import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { publishedInstall } from './published-install.js';

/**
 * The published packages, as a user installs them: `@cairn/core` and `@cairn/daemon` compiled by
 * their `build` scripts' tsconfig (into a temp folder, not the workspace), laid out in a
 * node_modules of their own, and used from plain Node with no tsx and no `@cairn/source`
 * condition: definitions in a .mjs module, a daemon forking its workers from the compiled
 * worker entry, a run that succeeds; then the installed `cairn` bin (compiled CLI) materializing
 * TypeScript definitions.
 */

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'cairn-published-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('published build', () => {
  it('compiles with the build config and runs a daemon from plain Node', async () => {
    const { cli } = await publishedInstall(work);
    // As npm packs it: no sources, so nothing can silently fall back to them.
    expect(existsSync(join(work, 'node_modules/@cairn/daemon/src'))).toBe(false);
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
    // The installed `cairn` runs the compiled CLI (no src/ to compile): TypeScript definitions
    // still load (tsx is registered for them), and a run materializes through compiled workers.
    writeFileSync(join(work, 'package.json'), '{ "type": "module" }');
    writeFileSync(
      join(work, 'defs.ts'),
      `import { asset, definitions } from '@cairn/core';
const n: number = 41;
export default definitions({ assets: [asset({ key: 'answer' }, () => n + 1)] });
`,
    );
    const cliRun = await run(
      process.execPath,
      [cli, 'materialize', '--defs', 'defs.ts', '--home', './home-cli', '--select', 'answer'],
      { cwd: work, env: { ...process.env, NODE_OPTIONS: '' } },
    );
    expect(cliRun.stdout).toMatch(/success/i);
  }, 120_000);
});
