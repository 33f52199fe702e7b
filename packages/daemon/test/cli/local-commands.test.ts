import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { buildProgram, main } from '../../src/cli/main.js';
import { type CliResult, cairn, cleanup, RUNS_DEFS, tempDir } from './cli-helpers.js';

afterEach(cleanup);

function buffers() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

describe('--help and usage errors', () => {
  it('every command and subcommand answers --help with exit 0', async () => {
    const program = buildProgram({ io: { out() {}, err() {} }, exit() {} });
    const paths: string[][] = [];
    const walk = (cmd: typeof program, prefix: string[]) => {
      for (const sub of cmd.commands) {
        if (sub.name() === 'help') continue;
        paths.push([...prefix, sub.name()]);
        walk(sub, [...prefix, sub.name()]);
      }
    };
    walk(program, []);
    expect(paths.length).toBeGreaterThan(20);
    for (const path of paths) {
      const b = buffers();
      expect(await main([...path, '--help'], b.io), path.join(' ')).toBe(0);
      expect(b.out.join('\n')).toContain(`Usage: cairn ${path.join(' ')}`);
    }
  });

  it('exits 2 on commander usage errors, in a real process', { timeout: 60_000 }, async () => {
    const cases = [
      ['bogus-command'],
      ['list', '--bogus'],
      ['graph', '--defs', RUNS_DEFS, '--format', 'png'],
      ['materialize', '--defs', RUNS_DEFS],
      ['start', '--port', 'abc'],
      ['runs', 'show'],
    ];
    const results = await Promise.all(cases.map((args) => cairn(args)));
    for (const [i, r] of results.entries()) {
      expect(r.code, cases[i]!.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/error:/);
    }
  });
});

describe('cairn list', () => {
  it('prints the assets, and JSON with --json', { timeout: 30_000 }, async () => {
    const [text, json] = await Promise.all([
      cairn(['list', '--defs', RUNS_DEFS]),
      cairn(['list', '--defs', RUNS_DEFS, '--json']),
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^asset\s+group\s+partitions/);
    expect(text.stdout).toMatch(/daily\s+default\s+static/);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as { assets: { key: string; checks: string[] }[] };
    expect(parsed.assets.map((a) => a.key)).toContain('by_region');
    expect(parsed.assets[0]).toMatchObject({ key: expect.any(String), checks: [] });
  });
});

describe('cairn graph', () => {
  it('renders text, mermaid, dot and json', { timeout: 30_000 }, async () => {
    const results = await Promise.all(
      ['text', 'mermaid', 'dot', 'json'].map((f) =>
        cairn(['graph', '--defs', RUNS_DEFS, '--format', f]),
      ),
    );
    const [text, mermaid, dot, json] = results as [CliResult, CliResult, CliResult, CliResult];
    for (const r of results) expect(r.code).toBe(0);
    expect(text.stdout).toContain('c <- b');
    expect(mermaid.stdout.split('\n')[0]).toBe('flowchart LR');
    expect(mermaid.stdout).toContain('  a --> b');
    expect(dot.stdout).toMatch(/^digraph cairn \{/);
    expect(dot.stdout).toContain('"b" -> "c";');
    const snapshot = JSON.parse(json.stdout) as { nodes: unknown[]; edges: unknown[] };
    expect(snapshot.nodes).toHaveLength(8);
    expect(snapshot.edges).toEqual([
      expect.objectContaining({ from: 'a', to: 'b' }),
      expect.objectContaining({ from: 'b', to: 'c' }),
    ]);
  });
});

describe('cairn validate', () => {
  it('exits 0 on valid definitions (text and --json)', { timeout: 30_000 }, async () => {
    const [text, json] = await Promise.all([
      cairn(['validate', '--defs', RUNS_DEFS]),
      cairn(['validate', '--defs', RUNS_DEFS, '--json']),
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Definitions valid: 8 assets, 0 checks/);
    expect(JSON.parse(json.stdout)).toMatchObject({ valid: true, assets: 8 });
  });

  it('exits 1 with the CairnError code and message', { timeout: 30_000 }, async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    const cycle = join(dir, 'cycle.mjs');
    // A dependency on an asset that is not in the definitions: core rejects it.
    writeFileSync(
      cycle,
      `import { asset, definitions } from '${join(process.cwd(), 'packages/core/src/index.ts').replace(/\\/g, '/')}';
const a = asset({ key: 'a' }, () => 1);
const b = asset({ key: 'b', deps: { a } }, ({ a }) => a);
export default definitions({ assets: [b] });
`,
    );
    const [bad, missing, json] = await Promise.all([
      cairn(['validate', '--defs', cycle]),
      cairn(['validate', '--defs', join(dir, 'nope.ts')]),
      cairn(['validate', '--defs', cycle, '--json']),
    ]);
    expect(bad.code).toBe(1);
    // Core's own error, unwrapped from CAIRN_DEFINITIONS_LOAD_FAILED.
    expect(bad.stderr).toMatch(/^error: CAIRN_UNKNOWN_DEPENDENCY: Asset "b" depends on "a"/);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('CAIRN_DEFINITIONS_NOT_FOUND');
    expect(JSON.parse(json.stdout)).toMatchObject({
      valid: false,
      error: { code: 'CAIRN_UNKNOWN_DEPENDENCY' },
    });
  });

  it('says how to fix a .ts module with import/export outside a "type": "module" package', {
    timeout: 30_000,
  }, async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'defs.ts'), 'export const nothing: number = 1;\n');
    const result = await cairn(['validate', '--defs', join(dir, 'defs.ts')], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('CAIRN_DEFINITIONS_LOAD_FAILED');
    expect(result.stderr).toContain('add "type": "module" to the nearest package.json');
  });
});

describe('cairn migrate', () => {
  it('applies the migrations to a new home, then reports it up to date', {
    timeout: 30_000,
  }, async () => {
    const home = tempDir();
    const first = await cairn(['migrate', '--home', home, '--json']);
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout) as { applied: string[]; current: string[] };
    expect(report.applied.length).toBeGreaterThanOrEqual(2);
    expect(report.current).toEqual(report.applied);
    expect(existsSync(join(home, 'cairn.db'))).toBe(true);
    const second = await cairn(['migrate', '--home', home]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/is up to date/);
  });

  it('exits 1 when the database is not a database', { timeout: 30_000 }, async () => {
    const home = tempDir();
    writeFileSync(join(home, 'cairn.db'), 'not sqlite at all, just text '.repeat(100));
    const r = await cairn(['migrate', '--home', home]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: /);
    expect(readFileSync(join(home, 'cairn.db'), 'utf8')).toMatch(/^not sqlite/);
  });
});

describe('cairn rebuild-indexes', () => {
  it('replays the event log into the derived tables and keeps them as they were', {
    timeout: 60_000,
  }, async () => {
    const home = tempDir();
    const run = await cairn(
      ['materialize', '--defs', RUNS_DEFS, '--select', '+b', '--home', home],
      {
        env: { CAIRN_RUNS_FIXTURE_DIR: home },
      },
    );
    expect(run.code).toBe(0);
    const snapshot = () => {
      const db = new Database(join(home, 'cairn.db'), { readonly: true });
      try {
        return {
          partitions: db.prepare('select * from asset_partitions order by asset_key').all(),
          runs: db.prepare('select run_id, status from runs').all(),
        };
      } finally {
        db.close();
      }
    };
    const before = snapshot();
    expect(before.partitions).toHaveLength(2);
    const r = await cairn(['rebuild-indexes', '--home', home, '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { events: number; database: string };
    expect(report.events).toBeGreaterThan(4);
    expect(snapshot()).toEqual(before);
  });

  it('exits 2 when the home has no database', { timeout: 30_000 }, async () => {
    const r = await cairn(['rebuild-indexes', '--home', tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no database at .*cairn\.db/);
  });
});
