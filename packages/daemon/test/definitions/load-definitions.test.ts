import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../src/definitions/load-definitions.js';
import { resolveDefinitionsPath } from '../../src/definitions/resolve-definitions-path.js';
import { isDaemonError } from '../../src/errors.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

async function loadError(path: string, cwd?: string): Promise<Error & { code?: string }> {
  try {
    await loadDefinitions(path, cwd === undefined ? {} : { cwd });
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error(`loading ${path} did not fail`);
}

describe('loadDefinitions', () => {
  it('loads a TypeScript module and finds its default export', async () => {
    const loaded = await loadDefinitions('workers-defs.ts', { cwd: FIXTURES });
    expect(loaded.exportName).toBe('default');
    expect(loaded.path).toBe(join(FIXTURES, 'workers-defs.ts'));
    expect([...loaded.defs.assets.keys()]).toContain('ok');
  });

  it('finds a named "defs" export, and "definitions" in a JavaScript module', async () => {
    const ts = await loadDefinitions(join(FIXTURES, 'workers-defs-memory-io.ts'));
    expect(ts.exportName).toBe('defs');
    const js = await loadDefinitions(join(FIXTURES, 'workers-defs-plain.mjs'));
    expect(js.exportName).toBe('definitions');
    expect([...js.defs.assets.keys()]).toEqual(['js_asset']);
  });

  it('names the resolved path when the module does not exist', async () => {
    const err = await loadError('src/nope.ts', FIXTURES);
    expect(isDaemonError(err, 'CAIRN_DEFINITIONS_NOT_FOUND')).toBe(true);
    expect(err.message).toContain(join(FIXTURES, 'src/nope.ts'));
    expect(err.message).toContain(`resolved against ${FIXTURES}`);
  });

  it('wraps an error thrown while loading, keeping the user stack as cause', async () => {
    const err = await loadError(join(FIXTURES, 'workers-defs-throws.ts'));
    expect(isDaemonError(err, 'CAIRN_DEFINITIONS_LOAD_FAILED')).toBe(true);
    expect(err.message).toContain('cannot reach the warehouse at load time');
    const cause = err.cause as Error;
    expect(cause.message).toBe('cannot reach the warehouse at load time');
    expect(cause.stack).toContain('workers-defs-throws.ts');
  });

  it('lists the exports it found and shows what to write when none is a definitions', async () => {
    const err = await loadError(join(FIXTURES, 'workers-defs-no-export.ts'));
    expect(isDaemonError(err, 'CAIRN_DEFINITIONS_EXPORT_MISSING')).toBe(true);
    expect(err.message).toContain('orders (an object of kind "asset")');
    expect(err.message).toContain('name (a string)');
    expect(err.message).toContain('export default definitions({ assets: [...] })');
  });
});

describe('resolveDefinitionsPath', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  function project(pkg: unknown): string {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-defs-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'package.json'), typeof pkg === 'string' ? pkg : JSON.stringify(pkg));
    mkdirSync(join(dir, 'src', 'nested'), { recursive: true });
    return dir;
  }

  it('prefers --defs, resolved against cwd', () => {
    const dir = project({ cairn: { defs: 'src/defs.ts' } });
    expect(resolveDefinitionsPath({ defs: 'other.ts', cwd: dir })).toBe(join(dir, 'other.ts'));
  });

  it('reads the cairn field of the nearest package.json, relative to that file', () => {
    const dir = project({ name: 'shop', cairn: { defs: 'src/defs.ts' } });
    const nested = join(dir, 'src', 'nested');
    expect(resolveDefinitionsPath({ cwd: nested })).toBe(join(dir, 'src', 'defs.ts'));
    expect(relative(dir, resolveDefinitionsPath({ cwd: dir }))).toBe(join('src', 'defs.ts'));
  });

  it('says what to add when nothing names a module', () => {
    const dir = project({ name: 'shop' });
    expect(() => resolveDefinitionsPath({ cwd: dir })).toThrow(
      /pass --defs <module>, or add "cairn": \{ "defs": "src\/defs.ts" \} to package.json/,
    );
  });

  it('rejects a malformed cairn field', () => {
    const dir = project({ cairn: 'src/defs.ts' });
    expect(() => resolveDefinitionsPath({ cwd: dir })).toThrow(/"cairn" field that is not/);
  });
});
