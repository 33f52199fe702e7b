import { describe, expect, it } from 'vitest';
import { isCairnError } from '../../src/errors.js';
import {
  allMapping,
  identityMapping,
  lastMapping,
  unpartitionedUpstreamMapping,
} from '../../src/mappings/index.js';
import {
  dailyPartitions,
  dynamicPartitions,
  staticPartitions,
} from '../../src/partitions/index.js';
import { down, NOW, up } from './helpers.js';

const abc = staticPartitions(['a', 'b', 'c']);
const abcd = staticPartitions(['a', 'b', 'c', 'd']);
const daily = dailyPartitions({ start: '2024-05-01' });

describe('identityMapping', () => {
  const m = identityMapping();

  it('maps each key to itself, de-duplicated and in partition order', () => {
    expect(m.cardinality).toBe('one');
    expect(up(m, abc, abc, ['c', 'a', 'c'])).toEqual(['a', 'c']);
    expect(down(m, abc, abc, ['b'])).toEqual(['b']);
  });

  it('drops keys that are not partitions of the target side', () => {
    expect(up(m, abcd, abc, ['d', 'b'])).toEqual(['b']);
    expect(down(m, abc, abcd, ['d', 'a'])).toEqual(['a']);
    expect(up(m, abc, abc, ['zz'])).toEqual([]);
  });

  it('maps time keys and drops those after now', () => {
    expect(up(m, daily, daily, ['2024-05-31', '2024-05-02'])).toEqual(['2024-05-02', '2024-05-31']);
    expect(up(m, daily, daily, ['2024-06-01'])).toEqual([]);
  });

  it('connects two unpartitioned assets with empty key lists', () => {
    expect(m.incompatibility(undefined, undefined)).toBeUndefined();
    expect(up(m, undefined, undefined, [])).toEqual([]);
    expect(down(m, undefined, undefined, [])).toEqual([]);
  });

  it('explains why a daily and a static definition cannot be identity-mapped', () => {
    const reason = m.incompatibility(daily, abc);
    expect(reason).toContain('identity mapping needs both assets to have the same partitions');
    expect(reason).toContain('time-window partitions (cron "0 0 * * *"');
    expect(reason).toContain('static partitions [a, b, c]');
    expect(reason).toContain('declare ');
  });

  it('accepts two static lists and time definitions on the same grid, refuses one unpartitioned side', () => {
    expect(m.incompatibility(abc, abcd)).toBeUndefined();
    expect(m.incompatibility(daily, dailyPartitions({ start: '2023-01-01' }))).toBeUndefined();
    expect(m.incompatibility(daily, undefined)).toContain(
      'identity mapping needs both assets partitioned or both unpartitioned',
    );
    expect(m.incompatibility(undefined, abc)).toContain('allMapping() or lastMapping()');
  });

  it('throws CAIRN_INCOMPATIBLE_MAPPING when called with only one side partitioned', () => {
    try {
      up(m, abc, undefined, ['a']);
      expect.unreachable();
    } catch (err) {
      expect(isCairnError(err, 'CAIRN_INCOMPATIBLE_MAPPING')).toBe(true);
    }
  });

  it('describes itself', () => {
    expect(m.describe()).toEqual({ type: 'identity' });
  });
});

describe('allMapping', () => {
  const m = allMapping();

  it('reads every upstream partition, feeds every downstream partition', () => {
    expect(m.cardinality).toBe('many');
    expect(up(m, abc, abcd, ['a'])).toEqual(['a', 'b', 'c', 'd']);
    expect(up(m, undefined, abc, [])).toEqual(['a', 'b', 'c']);
    expect(down(m, abcd, abc, ['b'])).toEqual(['a', 'b', 'c', 'd']);
    expect(down(m, undefined, abc, ['b'])).toEqual([]);
  });

  it('maps no partitions to nothing on a partitioned side, and the unpartitioned value to everything', () => {
    expect(up(m, abc, abcd, [])).toEqual([]);
    expect(down(m, abc, abcd, [])).toEqual([]);
    expect(down(m, abc, undefined, [])).toEqual(['a', 'b', 'c']);
    expect(up(m, abc, undefined, ['a'])).toEqual([]);
  });

  it('lists time-window upstream keys up to now', () => {
    const keys = up(m, undefined, daily, []);
    expect(keys.length).toBe(31);
    expect(keys[0]).toBe('2024-05-01');
    expect(keys[30]).toBe('2024-05-31');
  });

  it('is compatible with anything', () => {
    expect(m.incompatibility(daily, abc)).toBeUndefined();
    expect(m.incompatibility(undefined, undefined)).toBeUndefined();
    expect(m.describe()).toEqual({ type: 'all' });
  });
});

describe('lastMapping', () => {
  const m = lastMapping();

  it('reads the last upstream partition', () => {
    expect(m.cardinality).toBe('one');
    expect(up(m, abcd, abc, ['a', 'd'])).toEqual(['c']);
    expect(up(m, undefined, abc, [])).toEqual(['c']);
    expect(up(m, abc, abc, [])).toEqual([]);
  });

  it('reads the latest complete time window at now', () => {
    expect(up(m, undefined, daily, [])).toEqual(['2024-05-31']);
    expect(up(m, undefined, daily, [], new Date('2024-05-10T12:00:00Z'))).toEqual(['2024-05-09']);
  });

  it('feeds every downstream partition from the last key only', () => {
    expect(down(m, abcd, abc, ['c'])).toEqual(['a', 'b', 'c', 'd']);
    expect(down(m, abcd, abc, ['a', 'b'])).toEqual([]);
    expect(down(m, undefined, abc, ['c'])).toEqual([]);
  });

  it('finds the last key of a huge definition', () => {
    const huge = dailyPartitions({ start: '1000-01-01' });
    expect(up(m, undefined, huge, [])).toEqual(['2024-05-31']);
  });

  it('needs a partitioned upstream asset', () => {
    expect(m.incompatibility(abc, undefined)).toContain(
      'last mapping needs a partitioned upstream asset',
    );
    expect(m.incompatibility(undefined, abc)).toBeUndefined();
    expect(m.describe()).toEqual({ type: 'last' });
  });
});

describe('unpartitionedUpstreamMapping', () => {
  const m = unpartitionedUpstreamMapping();

  it('reads the single upstream value and feeds every downstream partition', () => {
    expect(m.cardinality).toBe('one');
    expect(up(m, abc, undefined, ['a', 'b'])).toEqual([]);
    expect(down(m, abc, undefined, [])).toEqual(['a', 'b', 'c']);
    expect(down(m, daily, undefined, [], NOW).length).toBe(31);
  });

  it('refuses a partitioned upstream', () => {
    expect(m.incompatibility(abc, abcd)).toContain(
      'unpartitionedUpstream mapping needs an unpartitioned upstream asset, but upstream is static partitions [a, b, c, d]',
    );
    expect(m.incompatibility(abc, undefined)).toBeUndefined();
  });
});

describe('dynamic partitions through the context', () => {
  const files = dynamicPartitions('files');
  const dynamic = {
    getDynamicPartitionKeys: (name: string) => (name === 'files' ? ['f1', 'f2', 'f3'] : []),
  };

  it('passes the dynamic reader to the definitions', () => {
    const args = { downstream: files, upstream: files, dynamic, now: NOW };
    expect(identityMapping().upstreamKeys({ ...args, downstreamKeys: ['f3', 'f9', 'f1'] })).toEqual(
      ['f1', 'f3'],
    );
    expect(allMapping().upstreamKeys({ ...args, downstreamKeys: ['f1'] })).toEqual([
      'f1',
      'f2',
      'f3',
    ]);
    expect(lastMapping().upstreamKeys({ ...args, downstreamKeys: ['f1'] })).toEqual(['f3']);
    expect(lastMapping().downstreamKeys({ ...args, upstreamKeys: ['f3'] })).toEqual([
      'f1',
      'f2',
      'f3',
    ]);
  });

  it('sees no keys without a reader', () => {
    expect(up(identityMapping(), files, files, ['f1'])).toEqual([]);
    expect(up(lastMapping(), undefined, files, [])).toEqual([]);
  });
});
