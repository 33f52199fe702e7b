import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, '../../bin/cairn.js');
const defs = join(here, '../fixtures/runs-defs.ts');
const homes: string[] = [];

afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

function tempHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'cairn-cli-'));
  homes.push(home);
  return home;
}

/** Runs `node bin/cairn.js ...args` in a real child process. */
function cairn(
  args: string[],
  home: string,
  onStdout?: (text: string, kill: (signal: NodeJS.Signals) => void) => void,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, CAIRN_RUNS_FIXTURE_DIR: home, CAIRN_HOME: home },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += String(d);
      onStdout?.(stdout, (s) => child.kill(s));
    });
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    child.on('close', (code, signal) =>
      resolve({ code, stdout: signal === null ? stdout : `${stdout}[signal ${signal}]`, stderr }),
    );
  });
}

describe('cairn materialize', () => {
  it('exits 0 with a summary when the run succeeds', { timeout: 60_000 }, async () => {
    const home = tempHome();
    const r = await cairn(['materialize', '--defs', defs, '--select', '+b', '--home', home], home);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /success in \d+ ms: 2 succeeded, 0 failed, 0 skipped, 2 materializations/,
    );
    const storage = await openStorage({ path: join(home, 'cairn.db') });
    try {
      expect((await storage.getRuns()).runs.map((r) => r.status)).toEqual(['success']);
    } finally {
      await storage.close();
    }
  });

  it('runs a partition range through the same storage', { timeout: 60_000 }, async () => {
    const home = tempHome();
    const r = await cairn(
      ['materialize', '--defs', defs, '--select', 'daily', '--from', 'p1', '--to', 'p3'],
      home,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('3 materializations');
  });

  it('exits 1 naming the failed step when the run fails', { timeout: 60_000 }, async () => {
    const home = tempHome();
    writeFileSync(join(home, 'fail-b'), '');
    const r = await cairn(['materialize', '--defs', defs, '--select', '+c', '--home', home], home);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('failure');
    expect(r.stdout).toContain('b failed: b failed on purpose');
  });

  it('exits 2 on usage errors', { timeout: 60_000 }, async () => {
    const home = tempHome();
    const missing = await cairn(['materialize', '--defs', defs], home);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--select <selection>' not specified");
    const unknown = await cairn(['materialize', '--defs', defs, '--select', 'zzz'], home);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('CAIRN_UNKNOWN_ASSET');
    const half = await cairn(
      ['materialize', '--defs', defs, '--select', 'daily', '--from', 'p1'],
      home,
    );
    expect(half.code).toBe(2);
    expect(half.stderr).toContain('--from and --to go together');
    const noDefs = await cairn(
      ['materialize', '--select', 'a', '--defs', join(home, 'x.ts')],
      home,
    );
    expect(noDefs.code).toBe(2);
    expect(noDefs.stderr).toContain('CAIRN_DEFINITIONS_NOT_FOUND');
  });
});

describe('cairn daemon', () => {
  it('runs until SIGTERM and stops gracefully', { timeout: 60_000 }, async () => {
    const home = tempHome();
    let sent = false;
    const r = await cairn(['daemon', '--defs', defs, '--workers', '1'], home, (out, kill) => {
      if (!sent && out.includes('cairn daemon ready')) {
        sent = true;
        kill('SIGTERM');
      }
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('cairn daemon stopped.');
    expect(r.code).toBe(0);
  });
});
