import { describe, expect, it } from 'vitest';
import { isCairnError } from '../../src/errors.js';
import { memoryIOManager } from '../../src/io/memory-io-manager.js';

const ctx = (assetKey: string, partitionKey?: string) => ({ assetKey, partitionKey, runId: 'r' });

describe('memoryIOManager', () => {
  it('stores and loads by asset and partition, keeping them apart', () => {
    const io = memoryIOManager();
    io.store(ctx('a'), 1);
    io.store(ctx('a', 'p1'), 2);
    io.store(ctx('a', 'p2'), undefined);
    expect(io.load(ctx('a'))).toBe(1);
    expect(io.load(ctx('a', 'p1'))).toBe(2);
    expect(io.has(ctx('a', 'p2'))).toBe(true);
    expect(io.load(ctx('a', 'p2'))).toBe(undefined);
    expect(io.size).toBe(3);
    io.delete(ctx('a', 'p1'));
    expect(io.has(ctx('a', 'p1'))).toBe(false);
    io.clear();
    expect(io.size).toBe(0);
  });

  it('throws CAIRN_INPUT_NOT_FOUND naming the asset and partition', () => {
    const io = memoryIOManager();
    let err: unknown;
    try {
      io.load(ctx('shop/orders', '2024-01-01'));
    } catch (e) {
      err = e;
    }
    expect(isCairnError(err, 'CAIRN_INPUT_NOT_FOUND')).toBe(true);
    expect((err as Error).message).toContain('"shop/orders"');
    expect((err as Error).message).toContain('"2024-01-01"');
    expect((err as Error).message).toContain('materialize it first');
  });
});
