import { afterEach, expect, it } from 'vitest';
import { openStorage, type Storage } from '../../src/storage/storage.js';
import { describeDialects } from '../storage-dialects/dialects.js';
import { until } from './fleet-helpers.js';

/**
 * Two storages on one database (two processes, in effect): each keeps the dynamic partition
 * keys in memory, and sees the keys the other adds or removes within its refresh interval, in
 * the table's order.
 */

const opened: Storage[] = [];

afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});

describeDialects('dynamic partitions across storages', (ctx) => {
  it('each storage sees the keys the other adds and removes, in order', async () => {
    const a = await openStorage(await ctx.fresh({ dynamicPartitionsRefreshMs: 50 }));
    opened.push(a);
    const b = await openStorage(ctx.same({ dynamicPartitionsRefreshMs: 50 }));
    opened.push(b);
    const now = () => new Date().toISOString();
    await a.append([
      { type: 'dynamic_partitions_added', name: 'regions', keys: ['eu', 'us'], timestamp: now() },
    ]);
    expect(a.getDynamicPartitionKeys('regions')).toEqual(['eu', 'us']);
    await until(
      'b to see the keys a added',
      () => b.getDynamicPartitionKeys('regions').length === 2,
      20_000,
    );
    expect(b.getDynamicPartitionKeys('regions')).toEqual(['eu', 'us']);

    await b.append([
      { type: 'dynamic_partitions_removed', name: 'regions', keys: ['eu'], timestamp: now() },
      { type: 'dynamic_partitions_added', name: 'regions', keys: ['apac'], timestamp: now() },
    ]);
    expect(b.getDynamicPartitionKeys('regions')).toEqual(['us', 'apac']);
    await until(
      'a to see the keys b changed',
      () => a.getDynamicPartitionKeys('regions').join() === 'us,apac',
      20_000,
    );
    // Unrelated events do not make it reload or lose keys.
    await a.append([{ type: 'materialization', assetKey: 'x', reported: true, timestamp: now() }]);
    await new Promise((r) => setTimeout(r, 200));
    expect(a.getDynamicPartitionKeys('regions')).toEqual(['us', 'apac']);
    expect(b.getDynamicPartitionKeys('regions')).toEqual(['us', 'apac']);
  }, 60_000);
});
