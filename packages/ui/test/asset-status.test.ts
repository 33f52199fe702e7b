import { describe, expect, it } from 'vitest';
import { parseFrame } from '../src/api/event-stream.js';
import { assetStatusWord, compact } from '../src/lib/asset-status.js';

const s = (o: Partial<Parameters<typeof assetStatusWord>[0]>) => ({
  total: 10,
  materialized: 10,
  failed: 0,
  inProgress: 0,
  missing: 0,
  stale: 0,
  ...o,
});

describe('assetStatusWord', () => {
  it('says the worst thing first: running, failed, missing, stale, fresh', () => {
    expect(assetStatusWord(s({ inProgress: 1, failed: 1 }))).toBe('running');
    expect(assetStatusWord(s({ failed: 1, missing: 3 }))).toBe('failed');
    expect(assetStatusWord(s({ materialized: 7, missing: 3, stale: 2 }))).toBe('missing');
    expect(assetStatusWord(s({ stale: 2 }))).toBe('stale');
    expect(assetStatusWord(s({ stale: null }))).toBe('fresh');
    expect(assetStatusWord(s({ materialized: 0, total: 1, missing: 1 }))).toBe('missing');
  });

  it('formats counts compactly', () => {
    expect([compact(999), compact(3165), compact(25_320), compact(1_000_000)]).toEqual([
      '999',
      '3.2k',
      '25.3k',
      '1M',
    ]);
  });
});

describe('parseFrame', () => {
  it('reads the id and the event the daemon sends', () => {
    const r = parseFrame(
      'id: 42\nevent: materialization\ndata: {"id":42,"type":"materialization","assetKey":"a"}',
    );
    expect(r?.id).toBe(42);
    expect(r?.event.type).toBe('materialization');
    expect(r?.event.assetKey).toBe('a');
  });

  it('ignores comments and heartbeats', () => {
    expect(parseFrame(': heartbeat')).toBeNull();
  });
});
