import { join } from 'node:path';
import type { AutomationMemory } from '@cairn/core';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { AutomationMemoryStore } from '../../src/automation/automation-memory-store.js';
import { automationDb } from '../../src/automation/automation-tables.js';
import { openStorage, type Storage } from '../../src/index.js';
import { tempHome } from './helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function store(): Promise<{ storage: Storage; path: string }> {
  const { home, remove } = tempHome('cairn-memstore-');
  const path = join(home, 'cairn.db');
  const storage = await openStorage({ path });
  cleanups.push(remove, () => storage.close());
  return { storage, path };
}

function memory(assets: AutomationMemory['assets'], cursor = '1'): AutomationMemory {
  return { version: 1, evaluatedAt: '2024-03-03T00:00:00.000Z', cursor, assets };
}

/** The stored rows, read with a second connection. */
function rows(path: string): Record<string, string> {
  const db = new Database(path, { readonly: true });
  try {
    const out: Record<string, string> = {};
    for (const r of db.prepare('select key, value from automation_state').all() as {
      key: string;
      value: string;
    }[])
      out[r.key] = r.value;
    return out;
  } finally {
    db.close();
  }
}

describe('AutomationMemoryStore', () => {
  it('writes what changed, keeps what did not, deletes what is gone, and reads it all back', async () => {
    const { storage, path } = await store();
    const s = new AutomationMemoryStore(automationDb(storage));
    const a = { codeVersion: '1' };
    const b = { codeVersion: '1', nodes: { '0.1': { type: 'newlyMissing', count: 1 } } };
    await s.write(memory({ a, b } as AutomationMemory['assets']));
    expect(JSON.parse(rows(path)['automation:memory:asset:b']!)).toEqual(b);

    // The same object for `a` (a quiet asset), a new object with new content for `b`, a new `c`.
    const b2 = { codeVersion: '2' };
    await s.write(memory({ a, b: b2, c: { codeVersion: null } }, '2'));
    let stored = rows(path);
    expect(JSON.parse(stored['automation:memory:asset:a']!)).toEqual(a);
    expect(JSON.parse(stored['automation:memory:asset:b']!)).toEqual(b2);
    expect(JSON.parse(stored['automation:memory:asset:c']!)).toEqual({ codeVersion: null });
    expect(JSON.parse(stored['automation:memory']!).cursor).toBe('2');

    // A new object with the content last written is not an update; a removed asset is deleted.
    await s.write(memory({ a: { codeVersion: '1' }, b: b2 }, '3'));
    stored = rows(path);
    expect(stored['automation:memory:asset:c']).toBeUndefined();

    const again = await new AutomationMemoryStore(automationDb(storage)).read();
    expect(again).toEqual(memory({ a, b: b2 }, '3'));
  });

  it('writes again after a failed write (a full disk) what the failed one did not store', async () => {
    const { storage, path } = await store();
    const s = new AutomationMemoryStore(automationDb(storage));
    const a = { codeVersion: '1' };
    await s.write(memory({ a }));
    const other = new Database(path);
    try {
      // Every write to automation_state fails, as on a full disk.
      other.exec(`create trigger full_disk before insert on automation_state
        begin select raise(abort, 'database or disk is full'); end;`);
      const a2 = { codeVersion: '2' };
      await expect(s.write(memory({ a: a2 }, '2'))).rejects.toThrow(/disk is full/);
      other.exec('drop trigger full_disk');
      // The same memory object again: not skipped as if it had been written.
      await s.write(memory({ a: a2 }, '2'));
      expect(JSON.parse(rows(path)['automation:memory:asset:a']!)).toEqual(a2);
    } finally {
      other.close();
    }
  });
});
