import { describe, expect, it } from 'vitest';
import { dynamicPartitions, staticPartitions } from '../../src/partitions/index.js';

describe('staticPartitions', () => {
  const regions = staticPartitions(['eu', 'us', 'apac']);

  it('answers in the given order', () => {
    expect(regions.type).toBe('static');
    expect(regions.count()).toBe(3);
    expect(regions.keys()).toEqual(['eu', 'us', 'apac']);
    expect(regions.keyAt(2)).toBe('apac');
    expect(regions.indexOf('us')).toBe(1);
    expect(regions.indexOf('mars')).toBe(-1);
    expect(regions.has('eu')).toBe(true);
    expect(regions.slice(1, 10)).toEqual(['us', 'apac']);
    expect(regions.slice(-5, 1)).toEqual(['eu']);
    expect(regions.range('us', 'apac')).toEqual(['us', 'apac']);
  });

  it('throws the documented errors', () => {
    expect(() => regions.keyAt(3)).toThrowError(
      expect.objectContaining({ code: 'CAIRN_UNKNOWN_PARTITION' }),
    );
    expect(() => regions.keyAt(1.5)).toThrowError(
      expect.objectContaining({ code: 'CAIRN_UNKNOWN_PARTITION' }),
    );
    expect(() => regions.range('apac', 'eu')).toThrowError(
      expect.objectContaining({ code: 'CAIRN_INVALID_PARTITION_RANGE' }),
    );
    expect(() => regions.range('eu', 'mars')).toThrowError(
      expect.objectContaining({
        code: 'CAIRN_UNKNOWN_PARTITION',
        message: expect.stringContaining('"mars"'),
      }),
    );
  });

  it.each([
    [['a', 'a'], '"a"'],
    [['a|b'], '"a|b"'],
    [['a,b'], '"a,b"'],
    [['[a]'], '"[a]"'],
    [['a...b'], '"a...b"'],
    [[''], '""'],
  ])('rejects invalid keys %j naming the key', (keys, named) => {
    expect(() => staticPartitions(keys)).toThrowError(
      expect.objectContaining({
        code: 'CAIRN_INVALID_PARTITIONS',
        message: expect.stringContaining(named),
      }),
    );
  });

  it('rejects an empty list and non-strings', () => {
    expect(() => staticPartitions([])).toThrowError(
      expect.objectContaining({ code: 'CAIRN_INVALID_PARTITIONS' }),
    );
    expect(() => staticPartitions([1 as unknown as string])).toThrowError(
      expect.objectContaining({ code: 'CAIRN_INVALID_PARTITIONS' }),
    );
  });

  it('is structurally equal to a definition with the same keys in the same order', () => {
    expect(regions.equals(staticPartitions(['eu', 'us', 'apac']))).toBe(true);
    expect(regions.equals(staticPartitions(['us', 'eu', 'apac']))).toBe(false);
    expect(regions.equals(dynamicPartitions('regions'))).toBe(false);
    expect(regions.snapshot()).toEqual({ type: 'static', keys: ['eu', 'us', 'apac'] });
  });

  it('does not share its key array with the caller', () => {
    const input = ['x', 'y'];
    const p = staticPartitions(input);
    input.push('z');
    p.keys().push('w');
    expect(p.keys()).toEqual(['x', 'y']);
  });
});

describe('dynamicPartitions', () => {
  const customers = dynamicPartitions('customers');
  const stored: Record<string, string[]> = { customers: ['acme', 'globex', 'initech'] };
  const ctx = { dynamic: { getDynamicPartitionKeys: (name: string) => stored[name] ?? [] } };

  it('reads keys from the context reader', () => {
    expect(customers.name).toBe('customers');
    expect(customers.count(ctx)).toBe(3);
    expect(customers.keys(ctx)).toEqual(['acme', 'globex', 'initech']);
    expect(customers.keyAt(1, ctx)).toBe('globex');
    expect(customers.indexOf('initech', ctx)).toBe(2);
    expect(customers.has('umbrella', ctx)).toBe(false);
    expect(customers.slice(1, 3, ctx)).toEqual(['globex', 'initech']);
    expect(customers.range('acme', 'globex', ctx)).toEqual(['acme', 'globex']);
  });

  it('has no keys without a reader', () => {
    expect(customers.count()).toBe(0);
    expect(customers.keys()).toEqual([]);
    expect(customers.indexOf('acme')).toBe(-1);
    expect(() => customers.keyAt(0)).toThrowError(
      expect.objectContaining({ code: 'CAIRN_UNKNOWN_PARTITION' }),
    );
  });

  it('sees keys added later', () => {
    const local: string[] = ['a'];
    const c = { dynamic: { getDynamicPartitionKeys: () => [...local] } };
    expect(customers.count(c)).toBe(1);
    local.push('b');
    expect(customers.indexOf('b', c)).toBe(1);
  });

  it('equals by name and snapshots its name', () => {
    expect(customers.equals(dynamicPartitions('customers'))).toBe(true);
    expect(customers.equals(dynamicPartitions('vendors'))).toBe(false);
    expect(customers.snapshot()).toEqual({ type: 'dynamic', name: 'customers' });
    expect(() => dynamicPartitions('')).toThrowError(
      expect.objectContaining({ code: 'CAIRN_INVALID_PARTITIONS' }),
    );
  });
});
