import { describe, expect, it } from 'vitest';
import { CairnError } from '../../src/errors.js';
import { inferMapping } from '../../src/mappings/index.js';
import {
  dailyPartitions,
  dynamicPartitions,
  hourlyPartitions,
  multiPartitions,
  staticPartitions,
} from '../../src/partitions/index.js';
import type { PartitionsDefinition } from '../../src/partitions/partitions-definition.js';
import { up } from './helpers.js';

const daily = dailyPartitions({ start: '2024-01-01' });
const hourly = hourlyPartitions({ start: '2024-01-01-00:00' });
const regions = staticPartitions(['eu', 'us']);
const byDateRegion = multiPartitions({ date: daily, region: regions });

describe('inferMapping', () => {
  const table: [
    string,
    PartitionsDefinition | undefined,
    PartitionsDefinition | undefined,
    object,
  ][] = [
    ['both unpartitioned', undefined, undefined, { type: 'identity' }],
    ['unpartitioned reads partitioned', undefined, daily, { type: 'all' }],
    ['partitioned reads unpartitioned', daily, undefined, { type: 'unpartitionedUpstream' }],
    ['same definition', daily, daily, { type: 'identity' }],
    ['equal definitions', regions, staticPartitions(['eu', 'us']), { type: 'identity' }],
    [
      'same dynamic name',
      dynamicPartitions('files'),
      dynamicPartitions('files'),
      { type: 'identity' },
    ],
    ['daily reads hourly', daily, hourly, { type: 'timeWindow', startOffset: 0, endOffset: 0 }],
    ['hourly reads daily', hourly, daily, { type: 'timeWindow', startOffset: 0, endOffset: 0 }],
    [
      'daily reads daily with another start',
      daily,
      dailyPartitions({ start: '2023-01-01' }),
      { type: 'timeWindow', startOffset: 0, endOffset: 0 },
    ],
    [
      'multi reads its date dimension',
      byDateRegion,
      daily,
      { type: 'multiToSingle', dimension: 'date' },
    ],
    [
      'multi reads its static dimension',
      byDateRegion,
      regions,
      { type: 'multiToSingle', dimension: 'region' },
    ],
    ['single reads a multi', regions, byDateRegion, { type: 'multiToSingle', dimension: 'region' }],
    [
      'multi reads hourly via its time dimension',
      byDateRegion,
      hourly,
      { type: 'multiToSingle', dimension: 'date' },
    ],
  ];

  it.each(table)('%s', (_name, downstream, upstream, expected) => {
    const mapping = inferMapping(downstream, upstream);
    expect(mapping.describe()).toEqual(expected);
    expect(mapping.incompatibility(downstream, upstream)).toBeUndefined();
  });

  it('gives the cardinality the tables promise', () => {
    expect(inferMapping(daily, undefined).cardinality).toBe('one');
    expect(inferMapping(daily, daily).cardinality).toBe('one');
    expect(inferMapping(undefined, daily).cardinality).toBe('many');
    expect(inferMapping(daily, hourly).cardinality).toBe('many');
    expect(up(inferMapping(daily, undefined), daily, undefined, ['2024-01-01'])).toEqual([]);
  });

  const refused: [string, PartitionsDefinition, PartitionsDefinition, string][] = [
    [
      'static vs daily',
      daily,
      regions,
      'staticMapping({ upstreamKey: downstreamKeys }), allMapping(), lastMapping() or customMapping({ ... })',
    ],
    ['different static lists', staticPartitions(['a', 'b']), regions, 'staticMapping('],
    [
      'two different multis',
      byDateRegion,
      multiPartitions({ day: daily, region: regions }),
      'multiMapping(',
    ],
    [
      'multi without a matching dimension',
      byDateRegion,
      staticPartitions(['x']),
      'multiToSingleMapping({ dimension })',
    ],
    [
      'time windows in two timezones',
      daily,
      hourlyPartitions({ start: '2024-01-01-00:00', timezone: 'Europe/Berlin' }),
      'timeWindowMapping()',
    ],
  ];

  it.each(refused)(
    'refuses %s with CAIRN_INCOMPATIBLE_MAPPING and advice',
    (_name, d, u, advice) => {
      try {
        inferMapping(d, u, { downstreamKey: 'shop/daily_sales', upstreamKey: 'shop/regions' });
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(CairnError);
        const e = err as CairnError;
        expect(e.code).toBe('CAIRN_INCOMPATIBLE_MAPPING');
        expect(e.message).toContain('Cannot infer a partition mapping from "shop/regions" (');
        expect(e.message).toContain(') to "shop/daily_sales" (');
        expect(e.message).toContain(
          'declare the mapping on the dependency, e.g. { asset, mapping: ',
        );
        expect(e.message).toContain(advice);
        expect(e.details.downstreamKey).toBe('shop/daily_sales');
      }
    },
  );

  it('names the definitions in the message', () => {
    expect(() => inferMapping(daily, regions)).toThrow(
      'Cannot infer a partition mapping from the upstream asset (static partitions [eu, us]) to the downstream asset (time-window partitions (cron "0 0 * * *", timezone UTC, from ',
    );
  });
});
