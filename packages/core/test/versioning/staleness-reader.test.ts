import { describe, expect, test } from 'vitest';
import { isCairnError } from '../../src/errors.js';
import {
  defaultDataVersion,
  inputRef,
  memoryStalenessReader,
  parseInputRef,
} from '../../src/versioning/index.js';

const at = (iso: string) => new Date(iso);

describe('memoryStalenessReader', () => {
  test('fills defaults: hashed data version with a code version, run ids, empty inputs', () => {
    const reader = memoryStalenessReader({ now: () => at('2024-03-05T00:00:00Z') });
    const m = reader.recordMaterialization({
      assetKey: 'shop/orders',
      codeVersion: '3',
      inputDataVersions: { 'shop/raw[2024-03-01]': 'v1' },
    });
    expect(m).toEqual({
      assetKey: 'shop/orders',
      partitionKey: undefined,
      timestamp: at('2024-03-05T00:00:00Z'),
      metadata: {},
      dataVersion: defaultDataVersion('3', { 'shop/raw[2024-03-01]': 'v1' }),
      codeVersion: '3',
      runId: 'run-1',
      inputDataVersions: { 'shop/raw[2024-03-01]': 'v1' },
      depKeys: [],
    });
    expect(reader.latestMaterialization('shop/orders', undefined)).toBe(m);
    expect(reader.currentDataVersion('shop/orders', undefined)).toEqual({
      dataVersion: m.dataVersion,
      timestamp: at('2024-03-05T00:00:00Z'),
      source: 'materialization',
    });
    expect(reader.latestMaterialization('shop/orders', '2024-03-01')).toBeUndefined();
  });

  test('the latest event is the one with the greatest timestamp, whatever the recording order', () => {
    const reader = memoryStalenessReader();
    const late = reader.recordMaterialization({
      assetKey: 'a',
      partitionKey: 'p',
      dataVersion: 'late',
      timestamp: at('2024-03-05T10:00:00Z'),
    });
    reader.recordMaterialization({
      assetKey: 'a',
      partitionKey: 'p',
      dataVersion: 'early',
      timestamp: at('2024-03-05T09:00:00Z'),
    });
    expect(reader.latestMaterialization('a', 'p')).toBe(late);
    expect(reader.currentDataVersion('a', 'p')?.dataVersion).toBe('late');
    expect(reader.materializationWithDataVersion('a', 'p', 'early')?.dataVersion).toBe('early');
    expect(reader.materializationWithDataVersion('a', 'p', 'nope')).toBeUndefined();
  });

  test('an observation sets the current data version without being a materialization', () => {
    const reader = memoryStalenessReader();
    reader.recordMaterialization({
      assetKey: 'ext',
      dataVersion: 'm1',
      timestamp: at('2024-03-05T09:00:00Z'),
    });
    reader.recordObservation({
      assetKey: 'ext',
      dataVersion: 'o2',
      timestamp: at('2024-03-05T10:00:00Z'),
    });
    expect(reader.latestMaterialization('ext', undefined)?.dataVersion).toBe('m1');
    expect(reader.currentDataVersion('ext', undefined)).toEqual({
      dataVersion: 'o2',
      timestamp: at('2024-03-05T10:00:00Z'),
      source: 'observation',
    });
  });

  test('refuses events without an asset key or data version', () => {
    const reader = memoryStalenessReader();
    const codeOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return isCairnError(err) ? err.code : 'other';
      }
      return undefined;
    };
    expect(codeOf(() => reader.recordMaterialization({} as never))).toBe('CAIRN_INVALID_OPTIONS');
    expect(codeOf(() => reader.recordObservation({ assetKey: 'a' } as never))).toBe(
      'CAIRN_INVALID_OPTIONS',
    );
  });
});

describe('input refs', () => {
  test('parseInputRef inverts inputRef, including keys with brackets and pipes', () => {
    for (const [key, pk] of [
      ['shop/orders', undefined],
      ['shop/orders', '2024-03-02'],
      ['m/x', '2024-03-02|us'],
      ['m/y', 'a[1]'],
    ] as const) {
      expect(parseInputRef(inputRef(key, pk))).toEqual({ assetKey: key, partitionKey: pk });
    }
  });
});
