import { afterEach, describe, expect, it } from 'vitest';
import { isDaemonError } from '../../src/errors.js';
import { openStorage, type Storage } from '../../src/storage/storage.js';
import type { StoredEvent } from '../../src/storage/stored-event.js';
import { dumpDerived, mat, tempDb, ts } from './helpers.js';

const open: { storage: Storage; cleanup(): void }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.storage.close();
    o.cleanup();
  }
});

async function fresh(maxBatchSize?: number): Promise<Storage> {
  const t = tempDb();
  const storage = await openStorage(
    maxBatchSize === undefined ? { path: t.path } : { path: t.path, maxBatchSize },
  );
  open.push({ storage, cleanup: t.cleanup });
  return storage;
}

function log(message: string): StoredEvent {
  return { type: 'log', runId: 'r1', timestamp: ts(), level: 'info', message };
}

describe('append and group commit', () => {
  it('commits 200 concurrent appends in one transaction and assigns increasing ids', async () => {
    const storage = await fresh();
    const before = storage.stats().transactions;
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => storage.append([log(`m${i}`), log(`n${i}`)])),
    );
    expect(storage.stats().transactions - before).toBe(1);
    expect(results[0]).toEqual([1, 2]);
    expect(results[199]).toEqual([399, 400]);
    const page = await storage.getEventsForRun('r1', { afterId: 397 });
    expect(page.records.map((r) => [r.id, (r.event as { message: string }).message])).toEqual([
      [398, 'n198'],
      [399, 'm199'],
      [400, 'n199'],
    ]);
  });

  it('flushes at the batch size limit without splitting an append', async () => {
    const storage = await fresh(50);
    const before = storage.stats().transactions;
    // 100 appends of 3 events: batches hold whole appends of at most 50 events (16 appends).
    await Promise.all(
      Array.from({ length: 100 }, (_, i) => storage.append([log(`a${i}`), log('b'), log('c')])),
    );
    expect(storage.stats().transactions - before).toBe(7);
    expect(storage.stats().events).toBe(300);
  });

  it('one append commits after another appended later in the same tick only if in order', async () => {
    const storage = await fresh();
    const a = storage.append([log('first')]);
    const b = storage.append([log('second')]);
    expect(await a).toEqual([1]);
    expect(await b).toEqual([2]);
  });

  it('refuses an invalid event alone, without failing the other appends', async () => {
    const storage = await fresh();
    const good = storage.append([log('ok')]);
    const bad = storage.append([
      log('fine'),
      { type: 'materialization', timestamp: ts() } as unknown as StoredEvent,
    ]);
    await expect(bad).rejects.toSatisfy(
      (e: unknown) =>
        isDaemonError(e, 'CAIRN_INVALID_EVENT') &&
        (e as Error).message.includes('Event #1') &&
        (e as Error).message.includes('"assetKey"'),
    );
    expect(await good).toEqual([1]);
    await expect(
      storage.append([{ type: 'nope', timestamp: ts() } as unknown as StoredEvent]),
    ).rejects.toSatisfy((e: unknown) => isDaemonError(e, 'CAIRN_INVALID_EVENT'));
    await expect(
      storage.append([
        {
          type: 'run_finished',
          runId: 'r1',
          status: 'done',
          timestamp: ts(),
        } as unknown as StoredEvent,
      ]),
    ).rejects.toThrow('"status" must be success, failure or canceled, got "done"');
    await expect(
      storage.append([mat('a', 0, { partitionIndex: -1 } as Partial<StoredEvent>)]),
    ).rejects.toThrow('"partitionIndex" must be a non-negative integer, got -1');
    expect(await storage.getLastEventId()).toBe(1);
  });

  it('isolates a batch-mate that violates a constraint: only its own append fails', async () => {
    const storage = await fresh();
    const queued = (runId: string): StoredEvent => ({
      type: 'run_queued',
      runId,
      timestamp: ts(),
      selection: ['a'],
    });
    await storage.append([queued('dup')]);
    const before = await dumpDerived(storage.db);
    const a = storage.append([log('a'), queued('x1')]);
    const b = storage.append([log('b'), queued('dup')]);
    const c = storage.append([log('c')]);
    expect(await a).toEqual([2, 3]);
    const err = await b.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isDaemonError(err, 'CAIRN_STORAGE_WRITE_FAILED')).toBe(true);
    expect((err as Error).message).toContain('SQLITE_CONSTRAINT');
    expect((err as Error).message).toContain('rolled back');
    // Ids of the rolled-back batch are reused: nothing of it was ever visible.
    expect(await c).toEqual([4]);
    const messages = (await storage.getEventsAfter(0)).records.map((r) => r.event.type);
    expect(messages).toEqual(['run_queued', 'log', 'run_queued', 'log']);
    expect((await storage.getRuns()).runs.map((r) => r.runId)).toEqual(['x1', 'dup']);
    expect(before.runs).toHaveLength(1);
  });

  it('rejects appends after close and flushes pending appends on close', async () => {
    const t = tempDb();
    const storage = await openStorage({ path: t.path });
    const pending = storage.append([mat('a', 0)]);
    await storage.close();
    expect(await pending).toEqual([1]);
    await expect(storage.append([mat('a', 1)])).rejects.toSatisfy((e: unknown) =>
      isDaemonError(e, 'CAIRN_STORAGE_CLOSED'),
    );
    const again = await openStorage({ path: t.path });
    expect((await again.getLatestMaterialization('a', 'p0'))?.id).toBe(1);
    await again.close();
    t.cleanup();
  });
});
