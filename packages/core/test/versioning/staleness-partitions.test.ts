import { describe, expect, test } from 'vitest';
import { asset } from '../../src/asset.js';
import { definitions } from '../../src/definitions.js';
import type { Definitions } from '../../src/definitions-types.js';
import { timeWindowMapping } from '../../src/mappings/index.js';
import { dailyPartitions } from '../../src/partitions/daily-partitions.js';
import { hourlyPartitions } from '../../src/partitions/hourly-partitions.js';
import {
  assetStaleness,
  explainStaleness,
  inputRef,
  type MemoryStalenessReader,
  materializationInput,
  partitionStaleness,
  type StalenessReader,
  stalenessEvaluator,
} from '../../src/versioning/index.js';
import { steppingReader } from './history.js';

const NOW = new Date('2024-03-04T00:00:00Z'); // days 03-01..03-03 and their 72 hours exist
const hourly = hourlyPartitions({ start: '2024-03-01-00:00' });
const daily = dailyPartitions({ start: '2024-03-01' });
const hour = (day: string, h: number) => `${day}-${String(h).padStart(2, '0')}:00`;
const DAYS = ['2024-03-01', '2024-03-02', '2024-03-03'];

function web(eventsVersion = '1', mapping = timeWindowMapping()) {
  const events = asset(
    { key: 'web/events', partitions: hourly, codeVersion: eventsVersion },
    () => [],
  );
  const visits = asset(
    {
      key: 'web/daily_visits',
      partitions: daily,
      codeVersion: '1',
      deps: { events: { asset: events, mapping } },
    },
    () => 0,
  );
  const summary = asset({ key: 'web/summary', codeVersion: '1', deps: [events] }, () => 0);
  return definitions({ assets: [events, visits, summary] });
}

function record(
  defs: Definitions,
  reader: MemoryStalenessReader,
  key: string,
  partitionKey: string | undefined,
  dataVersion?: string,
  now = NOW,
) {
  return reader.recordMaterialization(
    materializationInput(defs, key, partitionKey, reader, { now, dataVersion }),
  );
}

/** Every hour at data version v1, then every day from them. */
function materialized(defs: Definitions) {
  const reader = steppingReader();
  for (const day of DAYS)
    for (let h = 0; h < 24; h++) record(defs, reader, 'web/events', hour(day, h), 'v1');
  for (const day of DAYS) record(defs, reader, 'web/daily_visits', day);
  return reader;
}

const statuses = (defs: Definitions, reader: StalenessReader, key: string) =>
  Object.fromEntries(
    [...assetStaleness(defs, key, reader, { now: NOW })].map(([k, v]) => [k, v.status]),
  );

describe('staleness through a time-window mapping (hourly → daily)', () => {
  test('a daily materialization records the data versions of exactly its 24 hours', () => {
    const defs = web();
    const reader = materialized(defs);
    const day = reader.latestMaterialization('web/daily_visits', '2024-03-02')!;
    expect(Object.keys(day.inputDataVersions)).toEqual(
      Array.from({ length: 24 }, (_, h) => inputRef('web/events', hour('2024-03-02', h))),
    );
    expect(new Set(Object.values(day.inputDataVersions))).toEqual(new Set(['v1']));
    expect(statuses(defs, reader, 'web/daily_visits')).toEqual({
      '2024-03-01': 'FRESH',
      '2024-03-02': 'FRESH',
      '2024-03-03': 'FRESH',
    });
  });

  test('one changed hour makes only its day stale, naming that hour', () => {
    const defs = web();
    const reader = materialized(defs);
    record(defs, reader, 'web/events', '2024-03-02-13:00', 'v2');
    expect(statuses(defs, reader, 'web/daily_visits')).toEqual({
      '2024-03-01': 'FRESH',
      '2024-03-02': 'STALE',
      '2024-03-03': 'FRESH',
    });
    expect(
      partitionStaleness(defs, 'web/daily_visits', '2024-03-02', reader, { now: NOW }),
    ).toEqual({
      status: 'STALE',
      causes: [
        {
          type: 'data',
          upstream: { assetKey: 'web/events', partitionKey: '2024-03-02-13:00' },
          recorded: 'v1',
          current: 'v2',
        },
      ],
    });
  });

  test('every changed hour is named, in partition order, with no cut-off', () => {
    const defs = web();
    const reader = materialized(defs);
    for (const h of [17, 5, 23]) record(defs, reader, 'web/events', hour('2024-03-03', h), `w${h}`);
    const { causes } = partitionStaleness(defs, 'web/daily_visits', '2024-03-03', reader, {
      now: NOW,
    });
    expect(
      causes.map((c) => (c.type === 'data' ? [c.upstream.partitionKey, c.current] : c)),
    ).toEqual([
      ['2024-03-03-05:00', 'w5'],
      ['2024-03-03-17:00', 'w17'],
      ['2024-03-03-23:00', 'w23'],
    ]);
    // The unpartitioned summary reads all 72 hours; it was never materialized.
    expect(partitionStaleness(defs, 'web/summary', undefined, reader, { now: NOW }).status).toBe(
      'MISSING',
    );
  });

  test('hours that did not exist when it ran are new data (recorded undefined)', () => {
    const defs = web();
    const reader = materialized(defs);
    const earlier = new Date('2024-03-03T22:00:00Z'); // hours up to 21:00 of 03-03 complete
    record(defs, reader, 'web/summary', undefined, undefined, earlier);
    expect(
      Object.keys(reader.latestMaterialization('web/summary', undefined)!.inputDataVersions),
    ).toHaveLength(70);
    expect(
      partitionStaleness(defs, 'web/summary', undefined, reader, { now: earlier }).status,
    ).toBe('FRESH');
    expect(partitionStaleness(defs, 'web/summary', undefined, reader, { now: NOW })).toEqual({
      status: 'STALE',
      causes: ['2024-03-03-22:00', '2024-03-03-23:00'].map((partitionKey) => ({
        type: 'data',
        upstream: { assetKey: 'web/events', partitionKey },
        recorded: undefined,
        current: 'v1',
      })),
    });
  });

  test('a mapping that now reads other hours: no-longer-read hours are dependencies, new ones data', () => {
    const reader = materialized(web());
    const yesterday = web('1', timeWindowMapping({ startOffset: -1, endOffset: -1 }));
    const { causes } = partitionStaleness(yesterday, 'web/daily_visits', '2024-03-02', reader, {
      now: NOW,
    });
    expect(causes[0]).toEqual({
      type: 'dependencies',
      added: [],
      removed: [],
      removedPartitions: Array.from({ length: 24 }, (_, h) => ({
        assetKey: 'web/events',
        partitionKey: hour('2024-03-02', h),
      })),
    });
    expect(causes.slice(1)).toEqual(
      Array.from({ length: 24 }, (_, h) => ({
        type: 'data',
        upstream: { assetKey: 'web/events', partitionKey: hour('2024-03-01', h) },
        recorded: undefined,
        current: 'v1',
      })),
    );
  });

  test('an upstream code change propagates per partition, and the chain names the root', () => {
    const reader = materialized(web('1'));
    const v2 = web('2');
    // Only hour 13 of 03-02 was recomputed with the new code; the 71 other hours are stale.
    record(v2, reader, 'web/events', '2024-03-02-13:00', 'v2');
    const { causes } = partitionStaleness(v2, 'web/daily_visits', '2024-03-02', reader, {
      now: NOW,
    });
    expect(causes).toHaveLength(24);
    expect(causes[0]).toEqual({
      type: 'data',
      upstream: { assetKey: 'web/events', partitionKey: '2024-03-02-13:00' },
      recorded: 'v1',
      current: 'v2',
    });
    expect(causes.slice(1).map((c) => c.type === 'upstream' && c.upstream.partitionKey)).toEqual(
      Array.from({ length: 24 }, (_, h) => hour('2024-03-02', h)).filter(
        (k) => !k.endsWith('13:00'),
      ),
    );
    const explained = explainStaleness(v2, 'web/daily_visits', '2024-03-02', reader, { now: NOW });
    expect(explained.chains[0]).toBe(
      'web/daily_visits 2024-03-02 is stale because web/events 2024-03-02-13:00 was re-materialized (data version v1 → v2), because its code version changed from 1 to 2',
    );
    expect(explained.chains[1]).toBe(
      'web/daily_visits 2024-03-02 is stale because web/events 2024-03-02-00:00 is stale, because its code version changed from 1 to 2',
    );
    expect(explained.rootCauses).toHaveLength(24);
    expect(explained.text.split('\n').slice(0, 5)).toEqual([
      'web/daily_visits 2024-03-02 is stale',
      '- because web/events 2024-03-02-13:00 was re-materialized (data version v1 → v2)',
      '  - because its code version changed from 1 to 2',
      '- because web/events 2024-03-02-00:00 is stale',
      '  - because its code version changed from 1 to 2',
    ]);
  });
});

describe('memoization and depth', () => {
  test('evaluating a whole asset reads each upstream partition once', () => {
    const defs = web();
    const inner = materialized(defs);
    const calls = new Map<string, number>();
    const counting: StalenessReader = {
      latestMaterialization(key, pk) {
        const ref = inputRef(key, pk);
        calls.set(ref, (calls.get(ref) ?? 0) + 1);
        return inner.latestMaterialization(key, pk);
      },
      currentDataVersion: (key, pk) => inner.currentDataVersion(key, pk),
    };
    const ev = stalenessEvaluator(defs, counting, { now: NOW });
    for (const day of DAYS) ev.partition('web/daily_visits', day);
    for (const day of DAYS) ev.partition('web/daily_visits', day);
    expect(calls.size).toBe(3 + 72);
    expect(Math.max(...calls.values())).toBe(1);
  });

  test('a self-dependent hourly asset 20,000 partitions deep does not overflow the stack', () => {
    const long = hourlyPartitions({ start: '2022-01-01-00:00' });
    const now = new Date('2024-04-15T08:00:00Z');
    const make = (codeVersion: string) =>
      definitions({
        assets: [
          asset(
            {
              key: 'ops/balance',
              partitions: long,
              codeVersion,
              deps: {
                previous: {
                  asset: 'ops/balance',
                  mapping: timeWindowMapping({ startOffset: -1, endOffset: -1 }),
                },
              },
            },
            () => 0,
          ),
        ],
      });
    const v1 = make('1');
    const reader = steppingReader('2022-01-01T00:00:00Z');
    const keys = long.keys({ now });
    expect(keys.length).toBeGreaterThan(20_000);
    for (const k of keys) record(v1, reader, 'ops/balance', k, undefined, now);
    const last = keys[keys.length - 1]!;
    expect(partitionStaleness(v1, 'ops/balance', last, reader, { now }).status).toBe('FRESH');
    const v2 = make('2');
    expect(partitionStaleness(v2, 'ops/balance', last, reader, { now })).toEqual({
      status: 'STALE',
      causes: [
        { type: 'code', from: '1', to: '2' },
        {
          type: 'upstream',
          upstream: { assetKey: 'ops/balance', partitionKey: keys[keys.length - 2] },
          status: 'STALE',
        },
      ],
    });
    const explained = explainStaleness(v2, 'ops/balance', last, reader, { now });
    expect(explained.rootCauses).toHaveLength(keys.length);
    expect(explained.chains).toHaveLength(100);
    expect(explained.chains[2]).toBe(
      `ops/balance ${last} is stale because ops/balance ${keys[keys.length - 2]} is stale, because ops/balance ${keys[keys.length - 3]} is stale, because its code version changed from 1 to 2`,
    );
    expect(explained.chains[20]).toContain('… 9 more steps …');
    expect(explained.text.split('\n')).toHaveLength(1002);
  });
});
