import { describe, expect, expectTypeOf, it } from 'vitest';
import { CairnError, isCairnError } from '../../src/errors.js';
import { customMapping, type PartitionMapping, staticMapping } from '../../src/mappings/index.js';
import { dailyPartitions, staticPartitions } from '../../src/partitions/index.js';
import { down, up } from './helpers.js';

const regions = staticPartitions(['us_east', 'us_west', 'eu_central', 'ap_south']);
const markets = staticPartitions(['us', 'eu', 'global']);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof CairnError ? err.code : 'not a CairnError';
  }
  return undefined;
}

describe('staticMapping', () => {
  const m = staticMapping({ us_east: 'us', us_west: 'us', eu_central: ['eu', 'global'] });

  it('maps downstream keys to the upstream keys that feed them, in upstream order', () => {
    expect(m.cardinality).toBe('many');
    expect(up(m, markets, regions, ['us'])).toEqual(['us_east', 'us_west']);
    expect(up(m, markets, regions, ['global', 'us'])).toEqual(['us_east', 'us_west', 'eu_central']);
    expect(up(m, markets, regions, ['eu', 'global'])).toEqual(['eu_central']);
  });

  it('maps upstream keys to downstream keys, in downstream order', () => {
    expect(down(m, markets, regions, ['eu_central'])).toEqual(['eu', 'global']);
    expect(down(m, markets, regions, ['eu_central', 'us_west', 'us_east'])).toEqual([
      'us',
      'eu',
      'global',
    ]);
    expect(down(m, markets, regions, ['ap_south'])).toEqual([]);
  });

  it('reports table keys missing from static definitions', () => {
    const bad = staticMapping({ us_east: 'us', mars: 'us', eu_central: 'moon' });
    expect(bad.incompatibility(markets, regions)).toContain(
      'static mapping names upstream keys "mars" that are not partitions of the upstream static partitions [us_east, us_west, eu_central, ap_south]',
    );
    const badTarget = staticMapping({ us_east: ['us', 'moon'] });
    expect(badTarget.incompatibility(markets, regions)).toContain(
      'static mapping names downstream keys "moon"',
    );
    expect(m.incompatibility(markets, regions)).toBeUndefined();
    expect(m.incompatibility(undefined, regions)).toContain('needs both assets partitioned');
  });

  it('validates its options', () => {
    expect(codeOf(() => staticMapping({ a: 3 as unknown as string }))).toBe(
      'CAIRN_INVALID_OPTIONS',
    );
    expect(codeOf(() => staticMapping(null as unknown as Record<string, string>))).toBe(
      'CAIRN_INVALID_OPTIONS',
    );
    expect(codeOf(() => staticMapping({ a: ['x', 1 as unknown as string] }))).toBe(
      'CAIRN_INVALID_OPTIONS',
    );
  });

  it('describes its table', () => {
    expect(m.describe()).toEqual({
      type: 'static',
      mapping: { us_east: 'us', us_west: 'us', eu_central: ['eu', 'global'] },
    });
  });
});

describe('customMapping', () => {
  const months = staticPartitions(['2024-01', '2024-02', '2024-03']);
  const days = dailyPartitions({ start: '2024-01-30' });
  const now = new Date('2024-02-03T00:00:00Z');
  const dayToMonth = customMapping({
    name: 'dayToMonth',
    cardinality: 'one',
    upstreamKeys: (day) => day.slice(0, 7),
    downstreamKeys: (month, ctx) => ctx.downstream.keys(ctx).filter((d) => d.startsWith(month)),
  });

  it('keeps the cardinality literal in the type', () => {
    expectTypeOf(dayToMonth).toEqualTypeOf<PartitionMapping<'one'>>();
    const many = customMapping({
      cardinality: 'many',
      upstreamKeys: () => [],
      downstreamKeys: () => [],
    });
    expectTypeOf(many).toEqualTypeOf<PartitionMapping<'many'>>();
    expect(dayToMonth.cardinality).toBe('one');
    expect(dayToMonth.describe()).toEqual({
      type: 'custom',
      name: 'dayToMonth',
      cardinality: 'one',
    });
  });

  it('maps with the user functions, de-duplicated, filtered and ordered', () => {
    expect(up(dayToMonth, days, months, ['2024-02-01', '2024-01-31', '2024-02-02'], now)).toEqual([
      '2024-01',
      '2024-02',
    ]);
    expect(down(dayToMonth, days, months, ['2024-02', '2024-01'], now)).toEqual([
      '2024-01-30',
      '2024-01-31',
      '2024-02-01',
      '2024-02-02',
    ]);
    // '2024-02-03' is not complete at now, so it is not a partition and maps to nothing.
    expect(up(dayToMonth, days, months, ['2024-02-03'], now)).toEqual([]);
  });

  it('passes now and the definitions to the functions', () => {
    const seen: unknown[] = [];
    const spy = customMapping({
      cardinality: 'many',
      upstreamKeys: (key, ctx) => {
        seen.push([key, ctx.now.toISOString(), ctx.upstream === months, ctx.downstream === days]);
        return ['2024-01', 'nope'];
      },
      downstreamKeys: () => [],
    });
    expect(up(spy, days, months, ['2024-01-30'], now)).toEqual(['2024-01']);
    expect(seen).toEqual([['2024-01-30', '2024-02-03T00:00:00.000Z', true, true]]);
  });

  it('wraps a throwing function in CAIRN_MAPPING_FAILED with the cause', () => {
    const boom = new Error('fiscal calendar missing');
    const bad = customMapping({
      name: 'fiscal',
      cardinality: 'many',
      upstreamKeys: () => {
        throw boom;
      },
      downstreamKeys: () => 42 as unknown as string[],
    });
    try {
      up(bad, days, months, ['2024-01-30'], now);
      expect.unreachable();
    } catch (err) {
      expect(isCairnError(err, 'CAIRN_MAPPING_FAILED')).toBe(true);
      expect((err as Error).message).toBe(
        'custom mapping "fiscal" threw in upstreamKeys("2024-01-30"): fiscal calendar missing; fix the mapping function',
      );
      expect((err as Error).cause).toBe(boom);
    }
    expect(codeOf(() => down(bad, days, months, ['2024-01'], now))).toBe('CAIRN_MAPPING_FAILED');
  });

  it("refuses several upstream keys for cardinality 'one'", () => {
    const two = customMapping({
      cardinality: 'one',
      upstreamKeys: () => ['2024-01', '2024-02'],
      downstreamKeys: () => [],
    });
    expect(codeOf(() => up(two, days, months, ['2024-01-30'], now))).toBe('CAIRN_MAPPING_FAILED');
  });

  it('validates options and needs both sides partitioned', () => {
    expect(
      codeOf(() =>
        customMapping({
          cardinality: 'some' as 'one',
          upstreamKeys: () => [],
          downstreamKeys: () => [],
        }),
      ),
    ).toBe('CAIRN_INVALID_OPTIONS');
    expect(
      codeOf(() =>
        customMapping({
          cardinality: 'one',
          upstreamKeys: undefined as unknown as () => string[],
          downstreamKeys: () => [],
        }),
      ),
    ).toBe('CAIRN_INVALID_OPTIONS');
    expect(dayToMonth.incompatibility(undefined, months)).toContain(
      'custom mapping "dayToMonth" needs both assets partitioned',
    );
    const picky = customMapping({
      cardinality: 'one',
      upstreamKeys: () => [],
      downstreamKeys: () => [],
      incompatibility: (d) => (d.type === 'time' ? undefined : 'needs a daily downstream'),
    });
    expect(picky.incompatibility(months, months)).toBe('needs a daily downstream');
    expect(picky.incompatibility(days, months)).toBeUndefined();
  });
});
