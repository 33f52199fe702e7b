import { describe, expect, it } from 'vitest';
import { CairnError, isCairnError } from '../../src/errors.js';
import {
  allMapping,
  identityMapping,
  multiMapping,
  multiToSingleMapping,
  staticMapping,
  timeWindowMapping,
} from '../../src/mappings/index.js';
import {
  dailyPartitions,
  hourlyPartitions,
  multiPartitions,
  staticPartitions,
} from '../../src/partitions/index.js';
import { down, hoursOf, range, up } from './helpers.js';

const days = dailyPartitions({ start: '2024-01-01', end: '2024-01-04' });
const regions = staticPartitions(['eu', 'us']);
const byDateRegion = multiPartitions({ date: days, region: regions });

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof CairnError ? err.code : 'not a CairnError';
  }
  return undefined;
}

describe('multiToSingleMapping', () => {
  const byDate = multiToSingleMapping({ dimension: 'date' });

  it('multi downstream reads the single partition of its dimension key', () => {
    expect(byDate.cardinality).toBe('many');
    expect(up(byDate, byDateRegion, days, ['2024-01-02|eu'])).toEqual(['2024-01-02']);
    expect(
      up(byDate, byDateRegion, days, ['2024-01-02|us', '2024-01-01|us', '2024-01-02|eu']),
    ).toEqual(['2024-01-01', '2024-01-02']);
    expect(down(byDate, byDateRegion, days, ['2024-01-02'])).toEqual([
      '2024-01-02|eu',
      '2024-01-02|us',
    ]);
    expect(down(byDate, byDateRegion, days, ['2024-01-03', '2024-01-01'])).toEqual([
      '2024-01-01|eu',
      '2024-01-01|us',
      '2024-01-03|eu',
      '2024-01-03|us',
    ]);
  });

  it('single downstream reads every multi partition with its key (the reverse direction)', () => {
    expect(up(byDate, days, byDateRegion, ['2024-01-02'])).toEqual([
      '2024-01-02|eu',
      '2024-01-02|us',
    ]);
    expect(down(byDate, days, byDateRegion, ['2024-01-02|us', '2024-01-01|eu'])).toEqual([
      '2024-01-01',
      '2024-01-02',
    ]);
  });

  it('works on a static dimension and infers the dimension when omitted', () => {
    const m = multiToSingleMapping();
    expect(up(m, byDateRegion, regions, ['2024-01-03|us'])).toEqual(['us']);
    expect(down(m, byDateRegion, regions, ['us'])).toEqual([
      '2024-01-01|us',
      '2024-01-02|us',
      '2024-01-03|us',
    ]);
    expect(up(m, regions, byDateRegion, ['eu'])).toEqual([
      '2024-01-01|eu',
      '2024-01-02|eu',
      '2024-01-03|eu',
    ]);
  });

  it('matches a time dimension with a single definition of another grain by overlap', () => {
    const hourly = hourlyPartitions({ start: '2024-01-01-00:00' });
    const m = multiToSingleMapping();
    expect(up(m, byDateRegion, hourly, ['2024-01-02|eu'])).toEqual(
      hoursOf('2024-01-02', range(24)),
    );
    expect(down(m, byDateRegion, hourly, ['2024-01-02-05:00'])).toEqual([
      '2024-01-02|eu',
      '2024-01-02|us',
    ]);
    expect(m.incompatibility(byDateRegion, hourly)).toBeUndefined();
  });

  it('explains what cannot be connected', () => {
    expect(byDate.incompatibility(byDateRegion, byDateRegion)).toContain(
      'multiToSingle mapping needs exactly one multi-partitioned asset',
    );
    expect(multiToSingleMapping({ dimension: 'day' }).incompatibility(byDateRegion, days)).toBe(
      'multiToSingle mapping names dimension "day", but the multi definition has dimensions "date", "region"; name one of those',
    );
    expect(byDate.incompatibility(byDateRegion, regions)).toContain(
      'multiToSingle mapping needs a dimension ("date") of the multi definition equal to the single-dimension definition',
    );
    const twice = multiPartitions({ a: regions, b: regions });
    expect(multiToSingleMapping().incompatibility(twice, regions)).toContain(
      'cannot choose between dimensions "a", "b"',
    );
    expect(
      multiToSingleMapping({ dimension: 'b' }).incompatibility(twice, regions),
    ).toBeUndefined();
    expect(codeOf(() => up(byDate, byDateRegion, regions, ['2024-01-01|eu']))).toBe(
      'CAIRN_INCOMPATIBLE_MAPPING',
    );
    expect(codeOf(() => multiToSingleMapping({ dimension: 3 as unknown as string }))).toBe(
      'CAIRN_INVALID_OPTIONS',
    );
    expect(byDate.describe()).toEqual({ type: 'multiToSingle', dimension: 'date' });
  });
});

describe('multiMapping', () => {
  const upstream = multiPartitions({
    day: dailyPartitions({ start: '2024-01-01', end: '2024-01-04' }),
    region: regions,
  });
  const previousDaySameRegion = multiMapping({
    date: {
      upstreamDimension: 'day',
      mapping: timeWindowMapping({ startOffset: -1, endOffset: -1 }),
    },
    region: { mapping: identityMapping() },
  });

  it('maps each dimension through its own mapping, both directions', () => {
    expect(previousDaySameRegion.cardinality).toBe('many');
    expect(up(previousDaySameRegion, byDateRegion, upstream, ['2024-01-02|eu'])).toEqual([
      '2024-01-01|eu',
    ]);
    expect(up(previousDaySameRegion, byDateRegion, upstream, ['2024-01-01|eu'])).toEqual([]);
    expect(
      up(previousDaySameRegion, byDateRegion, upstream, ['2024-01-03|us', '2024-01-02|eu']),
    ).toEqual(['2024-01-01|eu', '2024-01-02|us']);
    expect(down(previousDaySameRegion, byDateRegion, upstream, ['2024-01-01|us'])).toEqual([
      '2024-01-02|us',
    ]);
  });

  it('reads unlisted dimensions whole', () => {
    const sameDay = multiMapping({
      date: { upstreamDimension: 'day', mapping: identityMapping() },
    });
    expect(up(sameDay, byDateRegion, upstream, ['2024-01-02|eu'])).toEqual([
      '2024-01-02|eu',
      '2024-01-02|us',
    ]);
    expect(down(sameDay, byDateRegion, upstream, ['2024-01-03|us'])).toEqual([
      '2024-01-03|eu',
      '2024-01-03|us',
    ]);
  });

  it('can rename keys of a static dimension', () => {
    const markets = multiPartitions({ date: days, market: staticPartitions(['global', 'west']) });
    const m = multiMapping({
      date: { mapping: identityMapping() },
      market: {
        upstreamDimension: 'region',
        mapping: staticMapping({ eu: 'global', us: ['global', 'west'] }),
      },
    });
    const regional = multiPartitions({ date: days, region: regions });
    expect(up(m, markets, regional, ['2024-01-01|global'])).toEqual([
      '2024-01-01|eu',
      '2024-01-01|us',
    ]);
    expect(up(m, markets, regional, ['2024-01-01|west'])).toEqual(['2024-01-01|us']);
    expect(down(m, markets, regional, ['2024-01-02|us'])).toEqual([
      '2024-01-02|global',
      '2024-01-02|west',
    ]);
  });

  it('explains incompatibilities', () => {
    expect(previousDaySameRegion.incompatibility(byDateRegion, days)).toContain(
      'multi mapping needs both assets multi-partitioned',
    );
    expect(previousDaySameRegion.incompatibility(byDateRegion, byDateRegion)).toBe(
      'multi mapping reads upstream dimension "day" for downstream dimension "date", but the upstream definition has "date", "region"; set upstreamDimension to one of those',
    );
    expect(
      multiMapping({ when: { mapping: allMapping() } }).incompatibility(byDateRegion, upstream),
    ).toContain(
      'multi mapping maps downstream dimension "when", which the downstream definition does not have',
    );
    const wrongInner = multiMapping({ region: { mapping: timeWindowMapping() } });
    expect(wrongInner.incompatibility(byDateRegion, upstream)).toContain(
      'multi mapping cannot map upstream dimension "region" to downstream dimension "region": timeWindow mapping needs both assets to have time-window partitions',
    );
    expect(previousDaySameRegion.incompatibility(byDateRegion, upstream)).toBeUndefined();
    try {
      up(previousDaySameRegion, byDateRegion, byDateRegion, ['2024-01-02|eu']);
      expect.unreachable();
    } catch (err) {
      expect(isCairnError(err, 'CAIRN_INCOMPATIBLE_MAPPING')).toBe(true);
    }
  });

  it('validates options and describes itself', () => {
    expect(
      codeOf(() =>
        multiMapping({
          a: { upstreamDimension: 'x', mapping: identityMapping() },
          b: { upstreamDimension: 'x', mapping: identityMapping() },
        }),
      ),
    ).toBe('CAIRN_INVALID_OPTIONS');
    expect(codeOf(() => multiMapping({ a: {} as { mapping: never } }))).toBe(
      'CAIRN_INVALID_OPTIONS',
    );
    expect(previousDaySameRegion.describe()).toEqual({
      type: 'multi',
      dimensions: {
        date: {
          upstreamDimension: 'day',
          mapping: { type: 'timeWindow', startOffset: -1, endOffset: -1 },
        },
        region: { upstreamDimension: 'region', mapping: { type: 'identity' } },
      },
    });
  });
});
