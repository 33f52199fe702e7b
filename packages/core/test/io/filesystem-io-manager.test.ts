import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCairnError } from '../../src/errors.js';
import { filesystemIOManager } from '../../src/io/filesystem-io-manager.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-fs-io-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const ctx = (assetKey: string, partitionKey?: string) => ({ assetKey, partitionKey, runId: 'r1' });

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    return isCairnError(err) ? err.code : `not cairn: ${String(err)}`;
  }
  return undefined;
}

describe('filesystemIOManager', () => {
  it('stores unpartitioned values as JSON at baseDir/<segments>/__value.json', async () => {
    const io = filesystemIOManager({ baseDir: dir });
    await io.store(ctx('shop/orders'), [{ id: 1, total: 9.5 }]);
    const file = join(dir, 'shop', 'orders', '__value.json');
    expect(readFileSync(file, 'utf8')).toBe('[{"id":1,"total":9.5}]');
    expect(await io.load(ctx('shop/orders'))).toEqual([{ id: 1, total: 9.5 }]);
    expect(io.pathFor(ctx('shop/orders'))).toBe(file);
  });

  it('stores each partition in its own file, percent-encoding the key', async () => {
    const io = filesystemIOManager({ baseDir: dir });
    await io.store(ctx('a/b', '2024-01-01'), 1);
    await io.store(ctx('a/b', 'eu|2024-01-01'), 2);
    await io.store(ctx('a/b', 'x/y'), 3);
    expect(readdirSync(join(dir, 'a', 'b')).sort()).toEqual([
      '2024-01-01.json',
      'eu%7C2024-01-01.json',
      'x%2Fy.json',
    ]);
    expect(await io.load(ctx('a/b', 'x/y'))).toBe(3);
    expect(await io.load(ctx('a/b', 'eu|2024-01-01'))).toBe(2);
  });

  it('overwrites, reports has() and deletes', async () => {
    const io = filesystemIOManager({ baseDir: dir });
    expect(await io.has(ctx('t', 'p'))).toBe(false);
    await io.store(ctx('t', 'p'), 'one');
    await io.store(ctx('t', 'p'), 'two');
    expect(await io.has(ctx('t', 'p'))).toBe(true);
    expect(await io.load(ctx('t', 'p'))).toBe('two');
    await io.delete(ctx('t', 'p'));
    expect(await io.has(ctx('t', 'p'))).toBe(false);
    await io.delete(ctx('t', 'p')); // deleting twice is fine
  });

  it('leaves no temp files behind (write to temp + rename)', async () => {
    const io = filesystemIOManager({ baseDir: dir });
    await Promise.all(Array.from({ length: 20 }, (_, i) => io.store(ctx('t'), { i })));
    expect(readdirSync(join(dir, 't'))).toEqual(['__value.json']);
    const v = (await io.load(ctx('t'))) as { i: number };
    expect(v.i).toBeGreaterThanOrEqual(0);
    expect(v.i).toBeLessThan(20);
  });

  it('throws CAIRN_INPUT_NOT_FOUND naming asset, partition, IO manager and what to do', async () => {
    const io = filesystemIOManager({ baseDir: dir });
    const err = await io.load(ctx('shop/orders', '2024-01-02')).catch((e: unknown) => e);
    expect(isCairnError(err, 'CAIRN_INPUT_NOT_FOUND')).toBe(true);
    const e = err as Error & { details: Record<string, unknown> };
    expect(e.message).toContain('"shop/orders"');
    expect(e.message).toContain('"2024-01-02"');
    expect(e.message).toContain('filesystem IO manager');
    expect(e.message).toContain('materialize it first');
    expect(e.details.ioManager).toBe('filesystem');
  });

  it.each([['..'], ['.'], [''], ['x'.repeat(201)]])(
    'rejects the partition key %j with CAIRN_UNSAFE_PATH',
    async (key) => {
      const io = filesystemIOManager({ baseDir: dir });
      expect(await codeOf(io.store(ctx('a', key), 1))).toBe('CAIRN_UNSAFE_PATH');
      expect(await codeOf(io.load(ctx('a', key)))).toBe('CAIRN_UNSAFE_PATH');
      expect(await codeOf(io.has(ctx('a', key)))).toBe('CAIRN_UNSAFE_PATH');
      expect(await codeOf(io.delete(ctx('a', key)))).toBe('CAIRN_UNSAFE_PATH');
    },
  );

  it('keeps traversal-looking partition keys inside baseDir', async () => {
    const io = filesystemIOManager({ baseDir: dir });
    for (const key of ['../../etc/passwd', '..\\..\\windows', '/etc/passwd', '%2e%2e', '..%2F..']) {
      await io.store(ctx('a', key), key);
      const file = io.pathFor(ctx('a', key));
      expect(file.startsWith(join(dir, 'a') + '/')).toBe(true);
      expect(await io.load(ctx('a', key))).toBe(key);
    }
    expect(existsSync(join(dir, '..', 'etc'))).toBe(false);
    expect(readdirSync(dir)).toEqual(['a']);
  });

  it.each([['../../etc/passwd'], ['a/../b'], ['a/./b'], ['/abs'], ['a//b'], ['a\\b']])(
    'rejects the asset key %j with CAIRN_UNSAFE_PATH',
    async (key) => {
      const io = filesystemIOManager({ baseDir: dir });
      expect(await codeOf(io.store(ctx(key), 1))).toBe('CAIRN_UNSAFE_PATH');
      expect(await codeOf(io.load(ctx(key)))).toBe('CAIRN_UNSAFE_PATH');
    },
  );

  it('uses a custom serializer and its extension', async () => {
    const io = filesystemIOManager({
      baseDir: dir,
      serializer: {
        extension: 'txt',
        serialize: (v) => String(v).toUpperCase(),
        deserialize: (b) => b.toString('utf8').toLowerCase(),
      },
    });
    await io.store(ctx('t', 'p'), 'Hello');
    expect(readFileSync(join(dir, 't', 'p.txt'), 'utf8')).toBe('HELLO');
    expect(await io.load(ctx('t', 'p'))).toBe('hello');
  });

  it('validates its options', async () => {
    expect(await codeOf(() => filesystemIOManager({ baseDir: '' }))).toBe('CAIRN_INVALID_OPTIONS');
    expect(
      await codeOf(() =>
        filesystemIOManager({
          baseDir: dir,
          serializer: { extension: '../x', serialize: String, deserialize: String },
        }),
      ),
    ).toBe('CAIRN_INVALID_OPTIONS');
  });
});
