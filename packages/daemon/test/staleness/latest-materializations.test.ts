import { describe, expect, it } from 'vitest';
import {
  LatestMaterializations,
  topLevelObjectSpan,
} from '../../src/staleness/latest-materializations.js';
import type { StoredMaterializationEvent } from '../../src/storage/index.js';

function event(over: Partial<StoredMaterializationEvent> = {}): StoredMaterializationEvent {
  return {
    type: 'materialization',
    runId: 'r1',
    timestamp: '2024-03-02T00:00:00.000Z',
    assetKey: 'shop/clean',
    partitionKey: '2024-03-01',
    dataVersion: 'd1',
    codeVersion: '2',
    inputDataVersions: { 'shop/raw[2024-03-01]': 'u1', 'shop/dim': 'x9' },
    depKeys: ['shop/raw', 'shop/dim'],
    ...over,
  } as StoredMaterializationEvent;
}

describe('the compact latest materializations', () => {
  it('rebuilds exactly the record it was given, from the event or from its stored payload', () => {
    for (const viaPayload of [false, true]) {
      const store = new LatestMaterializations();
      const e = event({
        metadata: { rows: { type: 'int', value: 3 } } as never,
        // Keys with brackets, quotes and braces, in an order the record must keep.
        inputDataVersions: {
          'shop/raw[2024-03-01]': 'u1',
          'shop/dim': 'x"9}',
          'shop/raw[2024-02-29]': 'u0',
          'shop/odd[a{b}"c]': 'v\\2',
        },
      });
      if (viaPayload) store.setFromPayload(JSON.stringify(e));
      else store.set(e);
      const m = store.get('shop/clean', '2024-03-01')!;
      expect(m).toMatchObject({
        assetKey: 'shop/clean',
        partitionKey: '2024-03-01',
        dataVersion: 'd1',
        codeVersion: '2',
        runId: 'r1',
        depKeys: ['shop/raw', 'shop/dim'],
        metadata: { rows: { type: 'int', value: 3 } },
      });
      expect(m.timestamp.toISOString()).toBe('2024-03-02T00:00:00.000Z');
      expect(Object.entries(m.inputDataVersions)).toEqual(Object.entries(e.inputDataVersions!));
      expect(Object.hasOwn(m.inputDataVersions, 'shop/dim')).toBe(true);
      expect(store.current('shop/clean', '2024-03-01')).toEqual({
        dataVersion: 'd1',
        timestamp: new Date('2024-03-02T00:00:00.000Z'),
        source: 'materialization',
      });
    }
  });

  it('keeps partitions apart when they share a shape, widens for more inputs, and reuses freed slots', () => {
    const store = new LatestMaterializations();
    store.set(event({ partitionKey: 'a', inputDataVersions: { 'up[a]': '1' } }));
    store.set(event({ partitionKey: 'b', inputDataVersions: { 'up[b]': '2' } }));
    store.set(
      event({ partitionKey: 'c', inputDataVersions: { 'up[c]': '3', 'up[b]': '2', other: '4' } }),
    );
    expect(store.get('shop/clean', 'a')!.inputDataVersions).toEqual({ 'up[a]': '1' });
    expect(store.get('shop/clean', 'b')!.inputDataVersions).toEqual({ 'up[b]': '2' });
    expect(store.get('shop/clean', 'c')!.inputDataVersions).toEqual({
      'up[c]': '3',
      'up[b]': '2',
      other: '4',
    });
    expect(store.size).toBe(3);
    store.delete('shop/clean', 'b');
    expect(store.get('shop/clean', 'b')).toBeUndefined();
    expect([...store.keys('shop/clean')]).toEqual(['a', 'c']);
    store.set(event({ partitionKey: 'd', codeVersion: undefined, inputDataVersions: {} }));
    expect(store.get('shop/clean', 'd')).toMatchObject({
      codeVersion: undefined,
      inputDataVersions: {},
    });
    expect(store.get('shop/clean', 'a')!.inputDataVersions).toEqual({ 'up[a]': '1' });
    expect(store.size).toBe(3);
    store.delete('shop/clean');
    expect(store.size).toBe(0);
    expect(store.keys('shop/clean').size).toBe(0);
  });

  it('shares an input version with the upstream partition that still has it', () => {
    const store = new LatestMaterializations();
    const version = ['f'.repeat(32), 'e'.repeat(32)].join('');
    store.setFromPayload(
      JSON.stringify(
        event({ assetKey: 'up', partitionKey: 'k', dataVersion: version, inputDataVersions: {} }),
      ),
    );
    store.setFromPayload(
      JSON.stringify(
        event({ assetKey: 'down', partitionKey: 'k', inputDataVersions: { 'up[k]': version } }),
      ),
    );
    expect(store.get('down', 'k')!.inputDataVersions['up[k]']).toBe(version);
  });

  it('finds only the top-level key', () => {
    const json =
      '{"metadata":{"inputDataVersions":{"x":"1"}},"s":"\\"inputDataVersions\\":{","inputDataVersions":{"a":"}"}}';
    const span = topLevelObjectSpan(json, 'inputDataVersions')!;
    expect(json.slice(span.start, span.end)).toBe('{"a":"}"}');
    expect(topLevelObjectSpan('{"a":1}', 'inputDataVersions')).toBeUndefined();
  });
});
