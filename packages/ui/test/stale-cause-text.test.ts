import { describe, expect, it } from 'vitest';
import { describeCause } from '../src/lib/stale-cause-text.js';

describe('describeCause', () => {
  it('names the upstream partition of data and upstream causes', () => {
    expect(
      describeCause({
        type: 'data',
        upstream: { assetKey: 'shop/raw_orders', partitionKey: '2024-01-05|eu' },
        recorded: 'aaaaaaaaaaaa',
        current: 'bbbbbbbbbbbb',
      }),
    ).toBe('data: shop/raw_orders 2024-01-05|eu has new data (data version aaaaaaaa → bbbbbbbb)');
    expect(
      describeCause({
        type: 'upstream',
        upstream: { assetKey: 'shop/cleaned_orders', partitionKey: '2024-01-05|eu' },
        status: 'STALE',
      }),
    ).toBe('upstream: shop/cleaned_orders 2024-01-05|eu is stale');
  });

  it('words new and wiped upstream data, code and dependency changes', () => {
    expect(describeCause({ type: 'data', upstream: { assetKey: 'a' }, current: 'x' })).toBe(
      'data: it now reads a, which it did not read when materialized',
    );
    expect(describeCause({ type: 'data', upstream: { assetKey: 'a' }, recorded: 'x' })).toBe(
      'data: a no longer has a data version (wiped)',
    );
    expect(describeCause({ type: 'code', from: '1', to: '2' })).toBe(
      'code: its code version changed from 1 to 2',
    );
    expect(
      describeCause({
        type: 'dependencies',
        added: ['b'],
        removed: [],
        removedPartitions: [{ assetKey: 'c', partitionKey: 'p1' }],
      }),
    ).toBe('dependencies: b added, c p1 no longer read');
  });

  it('falls back to the JSON of shapes it does not know', () => {
    expect(describeCause({ type: 'future', x: 1 })).toBe('{"type":"future","x":1}');
    expect(describeCause('plain text')).toBe('plain text');
  });
});
