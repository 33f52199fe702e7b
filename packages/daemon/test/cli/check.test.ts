import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/index.js';
import { parseXml } from '../checks/xml-parse.js';
import { CHECKS_DEFS, cairn, cleanup, tempDir } from './cli-helpers.js';

/**
 * `cairn check` and `cairn materialize --ephemeral` on the fixture of cli-checks-defs.ts: files
 * named fail-error, fail-warn, fail-blocking and fail-daily-<p> in the fixture dir make checks fail.
 */

let home = '';
afterAll(cleanup);

function flags(...names: string[]): void {
  for (const f of ['fail-error', 'fail-warn', 'fail-blocking', 'fail-daily-p2']) {
    rmSync(join(home, f), { force: true });
  }
  for (const n of names) writeFileSync(join(home, n), '');
}

const env = () => ({ CAIRN_CLI_FIXTURE_DIR: home, CAIRN_HOME: home });
const check = (...args: string[]) =>
  cairn(['check', '--defs', CHECKS_DEFS, '--home', home, ...args], { env: env() });

beforeAll(async () => {
  home = tempDir('cairn-cli-check-');
  const a = await cairn(['materialize', '--defs', CHECKS_DEFS, '--select', 'shop/*'], {
    env: env(),
  });
  const b = await cairn(
    ['materialize', '--defs', CHECKS_DEFS, '--select', 'daily', '--from', 'p1', '--to', 'p3'],
    { env: env() },
  );
  expect([a.code, b.code, a.stderr, b.stderr]).toEqual([0, 0, '', '']);
}, 120_000);

describe('cairn check', () => {
  it('exits 0 when every check passes, with a summary table', { timeout: 30_000 }, async () => {
    flags();
    const r = await check('--select', '*');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^check\s+partition\s+result/);
    expect(r.stdout).toContain(
      '7 checks: 7 passed, 0 failed with severity error, 0 failed with severity warn.',
    );
  });

  it('a failed warn check exits 0 by default and 1 with --fail-on warn', {
    timeout: 30_000,
  }, async () => {
    flags('fail-warn');
    const [byDefault, strict] = await Promise.all([
      check('--select', 'shop/orders'),
      check('--select', 'shop/orders', '--fail-on', 'warn'),
    ]);
    expect(byDefault.code).toBe(0);
    expect(byDefault.stdout).toContain('FAILED (warn)');
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('1 failed check(s) at or above severity "warn": exit 1.');
  });

  it('a failed error check exits 1, blocking or not', { timeout: 30_000 }, async () => {
    flags('fail-error');
    const nonBlocking = await check('--select', 'shop/orders');
    flags('fail-blocking');
    const blocking = await check('--select', 'shop/orders');
    expect(nonBlocking.code).toBe(1);
    expect(nonBlocking.stdout).toMatch(/shop\/orders:totals_positive\s+-\s+FAILED \(error\)/);
    expect(blocking.code).toBe(1);
    expect(blocking.stdout).toMatch(/shop\/orders:schema_ok\s+-\s+FAILED \(error, blocking\)/);
  });

  it('runs only the checks of the selection, on the requested partitions', {
    timeout: 30_000,
  }, async () => {
    flags('fail-daily-p2');
    const [p1, p2, range, json] = await Promise.all([
      check('--select', 'daily', '--partition', 'p1'),
      check('--select', 'daily', '--partition', 'p2'),
      check('--select', 'daily', '--from', 'p1', '--to', 'p3', '--json'),
      check('--select', 'shop/revenue', '--json'),
    ]);
    expect(p1.code).toBe(0);
    expect(p2.code).toBe(1);
    expect(range.code).toBe(1);
    const out = JSON.parse(range.stdout) as {
      ok: boolean;
      counts: Record<string, number>;
      evaluations: { checkId: string; partitionKey: string | null; passed: boolean }[];
    };
    expect(out.ok).toBe(false);
    expect(out.counts).toEqual({ total: 3, passed: 2, failedError: 1, failedWarn: 0 });
    expect(out.evaluations.map((e) => [e.checkId, e.partitionKey, e.passed])).toEqual([
      ['daily:has_rows', 'p1', true],
      ['daily:has_rows', 'p2', false],
      ['daily:has_rows', 'p3', true],
    ]);
    // shop/revenue has no checks: nothing runs, nothing fails.
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, counts: { total: 0 } });
  });

  it('records the evaluations as events in storage', { timeout: 30_000 }, async () => {
    flags('fail-warn');
    const r = await check('--select', 'shop/orders');
    expect(r.code).toBe(0);
    const storage = await openStorage({ path: join(home, 'cairn.db') });
    try {
      const results = await storage.getCheckResults({ checkId: 'shop/orders:few_refunds' });
      expect(results).toHaveLength(1);
      expect(results[0]).toMatchObject({ passed: false, severity: 'warn', runId: null });
    } finally {
      await storage.close();
    }
  });

  it('writes JUnit XML that parses back, and GitHub annotations', { timeout: 30_000 }, async () => {
    flags('fail-error', 'fail-warn', 'fail-daily-p2');
    const junit = join(home, 'reports', 'checks.xml');
    const r = await check('--select', '*', '--junit', junit, '--format', 'github');
    expect(r.code).toBe(1);
    const root = parseXml(readFileSync(junit, 'utf8'));
    expect(root.attrs).toMatchObject({ tests: '7', failures: '3' });
    expect(root.children.map((s) => s.attrs.name)).toEqual(['daily', 'shop/orders']);
    const shop = root.children[1]!;
    const positive = shop.children.find((c) => c.attrs.name === 'totals_positive')!;
    expect(positive.children[0]!.attrs.message).toBe(
      '[error] a <total> & "quote" \'apos\' failed\nsecond line, 100% sure',
    );
    const lines = r.stdout.trim().split('\n');
    // The annotation's file is the definitions module relative to the working directory.
    const rel = relative(process.cwd(), CHECKS_DEFS);
    expect(lines.filter((l) => l.startsWith('::error '))).toHaveLength(2);
    expect(lines.filter((l) => l.startsWith('::warning '))).toEqual([
      `::warning file=${rel},title=check shop/orders%3Afew_refunds failed::shop/orders:few_refunds: check shop/orders:few_refunds failed`,
    ]);
    expect(lines).toContain(
      `::error file=${rel},title=check shop/orders%3Atotals_positive failed::shop/orders:totals_positive: a <total> & "quote" 'apos' failed%0Asecond line, 100%25 sure`,
    );
    expect(lines.at(-1)).toMatch(/--fail-on error: FAILED\.$/);
  });

  it('exits 2 on usage errors', { timeout: 30_000 }, async () => {
    const [noSelect, badFailOn, both, unknownPartition] = await Promise.all([
      check(),
      check('--select', '*', '--fail-on', 'info'),
      check('--select', 'daily', '--partition', 'p1', '--from', 'p1', '--to', 'p2'),
      check('--select', 'daily', '--partition', 'nope'),
    ]);
    expect([noSelect.code, badFailOn.code, both.code, unknownPartition.code]).toEqual([2, 2, 2, 2]);
    expect(unknownPartition.stderr).toContain('has no partition "nope"');
  });
});

describe('cairn materialize --ephemeral', () => {
  const ephemeral = (...args: string[]) =>
    cairn(['materialize', '--ephemeral', '--defs', CHECKS_DEFS, '--select', 'shop/*', ...args], {
      env: { CAIRN_CLI_FIXTURE_DIR: home },
    });

  it('exits 0 when the run succeeds and every error check passes (warn failures allowed)', {
    timeout: 60_000,
  }, async () => {
    flags('fail-warn');
    const r = await ephemeral('--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      ok: boolean;
      status: string;
      checks: { passed: boolean }[];
    };
    expect(out).toMatchObject({ ok: true, status: 'success' });
    expect(out.checks).toHaveLength(4);
    expect(out.checks.filter((c) => !c.passed)).toHaveLength(1);
  });

  it('exits 1 when a non-blocking error check fails, although the run succeeds', {
    timeout: 60_000,
  }, async () => {
    flags('fail-error');
    const r = await ephemeral();
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/success in \d+ ms/);
    expect(r.stdout).toContain('check shop/orders:totals_positive failed (error)');
  });

  it('exits 1 when a blocking check fails (the run fails too)', { timeout: 60_000 }, async () => {
    flags('fail-blocking');
    const r = await ephemeral('--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false });
  });

  it('exits 2 with --home', { timeout: 30_000 }, async () => {
    const r = await ephemeral('--home', home);
    expect(r.code).toBe(2);
  });
});
