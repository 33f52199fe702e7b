import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { isDaemonError } from '../../src/errors.js';
import { openStorage } from '../../src/storage/storage.js';
import type { StoredEvent } from '../../src/storage/stored-event.js';
import { dumpDerived, mat, rangeProblems, tempDb } from './helpers.js';

/** A materialization with a large metadata payload, to fill pages quickly. */
function big(i: number): StoredEvent {
  return mat('big', i, { metadata: { blob: 'x'.repeat(3000) } } as Partial<StoredEvent>);
}

describe('a failed batch', () => {
  it('rolls back entirely on SQLITE_FULL and loses nothing committed before', async () => {
    const t = tempDb();
    try {
      const first = await openStorage({ path: t.path });
      const committed = await first.append(Array.from({ length: 20 }, (_, i) => big(i)));
      expect(committed).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      await first.close();
      const raw = new Database(t.path, { readonly: true });
      const pages = Number(raw.pragma('page_count', { simple: true }));
      raw.close();

      // Allow only a few more pages: the next big batch cannot fit.
      const full = await openStorage({ path: t.path, pragmas: { max_page_count: pages + 4 } });
      const before = await dumpDerived(full.db);
      const err = await full.append(Array.from({ length: 200 }, (_, i) => big(100 + i))).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isDaemonError(err, 'CAIRN_STORAGE_WRITE_FAILED')).toBe(true);
      expect((err as { details: { sqliteCode: string } }).details.sqliteCode).toBe('SQLITE_FULL');
      expect((err as Error).message).toContain('none of its events were stored');
      expect((err as Error).message).toContain('free space');
      expect(full.stats().failedBatches).toBe(1);
      // Nothing of the failed batch is visible; the indexes are exactly as before.
      expect(await full.getLastEventId()).toBe(20);
      expect(await dumpDerived(full.db)).toEqual(before);
      // The storage keeps working for what fits.
      expect(await full.append([mat('small', 0)])).toEqual([21]);
      await full.close();

      const reopened = await openStorage({ path: t.path });
      const all = await reopened.getEventsAfter(0);
      expect(all.records.map((r) => r.id)).toEqual([...committed, 21]);
      expect((await reopened.integrityCheck()).ok).toBe(true);
      expect(await rangeProblems(reopened.db)).toEqual([]);
      const incremental = await dumpDerived(reopened.db);
      await reopened.rebuildIndexes();
      expect(await dumpDerived(reopened.db)).toEqual(incremental);
      expect((await reopened.getPartitionStatus('big')).ranges).toEqual([
        { startIndex: 0, endIndex: 20, status: 'materialized' },
      ]);
      await reopened.close();
    } finally {
      t.cleanup();
    }
  });
});
