import { describe, expect, test } from 'vitest';
import { metadataBoundsCheck } from '../../src/checks/metadata-bounds-check.js';
import { isCairnError } from '../../src/errors.js';
import type { Metadata } from '../../src/metadata.js';
import { memoryStalenessReader } from '../../src/versioning/staleness-reader.js';
import { runCheck } from './check-context.js';

const NOW = new Date('2024-03-05T12:00:00Z');

function historyWith(metadata: Metadata, partitionKey?: string) {
  const reader = memoryStalenessReader();
  reader.recordMaterialization({ assetKey: 'shop/orders', partitionKey, metadata, timestamp: NOW });
  return reader;
}

describe('metadataBoundsCheck', () => {
  const check = metadataBoundsCheck({ asset: 'shop/orders', min: 1, max: 100 });

  test('defaults: rowCount, name rowCount_bounds, severity error, not blocking', () => {
    expect(check.id).toBe('shop/orders:rowCount_bounds');
    expect(check.severity).toBe('error');
    expect(check.blocking).toBe(false);
    expect(check.description).toBe('Metadata "rowCount" is within [1, 100].');
  });

  test('a value within the bounds (inclusive) passes; outside fails', async () => {
    for (const [rowCount, passed] of [
      [1, true],
      [42, true],
      [100, true],
      [0, false],
      [101, false],
    ] as const) {
      const result = await runCheck(check, historyWith({ rowCount }), { now: NOW });
      expect(result.passed).toBe(passed);
      expect(result.metadata).toEqual({ value: rowCount, min: 1, max: 100 });
    }
    const low = await runCheck(check, historyWith({ rowCount: 0 }), { now: NOW });
    expect(low.description).toBe('Metadata "rowCount" of shop/orders is 0, outside [1, 100].');
  });

  test('only one bound', async () => {
    const atMost = metadataBoundsCheck({
      asset: 'shop/orders',
      metadataKey: 'null.ratio',
      max: 0.01,
    });
    expect(atMost.name).toBe('null_ratio_bounds');
    const result = await runCheck(atMost, historyWith({ 'null.ratio': 0.02 }, '2024-03-04'), {
      now: NOW,
      partitionKey: '2024-03-04',
    });
    expect(result).toEqual({
      passed: false,
      metadata: { value: 0.02, max: 0.01 },
      description: 'Metadata "null.ratio" of shop/orders 2024-03-04 is 0.02, outside [-∞, 0.01].',
    });
  });

  test('a missing or non-numeric entry fails naming the key', async () => {
    const missing = await runCheck(check, historyWith({ rows: 5 }), { now: NOW });
    expect(missing.passed).toBe(false);
    expect(missing.description).toBe(
      'Metadata "rowCount" of the latest materialization of shop/orders is missing; report it as a number (e.g. materializeResult(value, { metadata: { rowCount: 42 } })).',
    );
    const text = await runCheck(check, historyWith({ rowCount: '5' }), { now: NOW });
    expect(text.passed).toBe(false);
    expect(text.description).toContain('is "5", not a finite number');
  });

  test('never materialized fails naming the key', async () => {
    const result = await runCheck(check, memoryStalenessReader(), { now: NOW });
    expect(result).toEqual({
      passed: false,
      metadata: { min: 1, max: 100 },
      description:
        'shop/orders has never been materialized, so it has no metadata "rowCount" to check; materialize it.',
    });
  });

  test('refuses bounds that cannot work', () => {
    const codeOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return isCairnError(err) ? err.code : 'other';
      }
      return undefined;
    };
    expect(codeOf(() => metadataBoundsCheck({ asset: 'shop/orders' }))).toBe(
      'CAIRN_INVALID_OPTIONS',
    );
    expect(codeOf(() => metadataBoundsCheck({ asset: 'shop/orders', min: 5, max: 1 }))).toBe(
      'CAIRN_INVALID_OPTIONS',
    );
    expect(codeOf(() => metadataBoundsCheck({ asset: 'shop/orders', min: Number.NaN }))).toBe(
      'CAIRN_INVALID_OPTIONS',
    );
  });
});
