import { describe, expect, test } from 'vitest';
import { asset } from '../../src/asset.js';
import type { AnyAssetDefinition } from '../../src/asset-types.js';
import { definitions } from '../../src/definitions.js';
import type { Definitions } from '../../src/definitions-types.js';
import { externalAsset } from '../../src/external-asset.js';
import { identityMapping, timeWindowMapping } from '../../src/mappings/index.js';
import { dailyPartitions } from '../../src/partitions/daily-partitions.js';
import { hourlyPartitions } from '../../src/partitions/hourly-partitions.js';
import {
  explainPartition,
  explainStaleness,
  type MemoryStalenessReader,
  materializationInput,
  type StalenessReader,
  stalenessEvaluator,
} from '../../src/versioning/index.js';
import { steppingReader } from './history.js';

const NOW = new Date('2024-03-05T12:00:00Z');

function record(
  defs: Definitions,
  reader: MemoryStalenessReader,
  key: string,
  partitionKey?: string,
  dataVersion?: string,
) {
  return reader.recordMaterialization(
    materializationInput(defs, key, partitionKey, reader, { now: NOW, dataVersion }),
  );
}

describe('explainStaleness', () => {
  const raw = externalAsset({ key: 'shop/raw_orders' });
  const shop = (ordersVersion: string) => {
    const orders = asset(
      { key: 'shop/orders', codeVersion: ordersVersion, deps: { raw } },
      () => 0,
    );
    const revenue = asset({ key: 'shop/revenue', codeVersion: '1', deps: { orders } }, () => 0);
    return definitions({ assets: [raw, orders, revenue] });
  };

  test('FRESH and MISSING have no steps and a one-line text', () => {
    const defs = shop('1');
    const reader = steppingReader();
    expect(explainStaleness(defs, 'shop/revenue', undefined, reader, { now: NOW })).toEqual({
      assetKey: 'shop/revenue',
      partitionKey: undefined,
      status: 'MISSING',
      steps: [],
      rootCauses: [],
      chains: [],
      text: 'shop/revenue is missing: it has never been materialized',
    });
    reader.recordObservation({ assetKey: 'shop/raw_orders', dataVersion: 'v1' });
    expect(explainStaleness(defs, 'shop/raw_orders', undefined, reader).text).toBe(
      'shop/raw_orders is fresh',
    );
  });

  test('follows a re-materialization back through the inputs that changed to an observation', () => {
    const defs = shop('1');
    const reader = steppingReader();
    reader.recordObservation({ assetKey: 'shop/raw_orders', dataVersion: 'v1' });
    const o1 = record(defs, reader, 'shop/orders');
    record(defs, reader, 'shop/revenue');
    reader.recordObservation({ assetKey: 'shop/raw_orders', dataVersion: 'v2' });
    const o2 = record(defs, reader, 'shop/orders');
    const e = explainStaleness(defs, 'shop/revenue', undefined, reader);
    expect(e.chains).toEqual([
      `shop/revenue is stale because shop/orders was re-materialized (data version ${o1.dataVersion} → ${o2.dataVersion}), because shop/raw_orders was observed with a new data version (v1 → v2)`,
    ]);
    expect(e.steps).toHaveLength(1);
    expect(e.steps[0]!.subject).toEqual({ assetKey: 'shop/revenue', partitionKey: undefined });
    expect(e.steps[0]!.because[0]!.subject).toEqual({
      assetKey: 'shop/orders',
      partitionKey: undefined,
    });
    expect(e.rootCauses[0]!.reason).toEqual({
      type: 'data',
      upstream: { assetKey: 'shop/raw_orders', partitionKey: undefined },
      recorded: 'v1',
      current: 'v2',
    });
  });

  test('without materializationWithDataVersion the chain stops at the change', () => {
    const v1 = shop('3');
    const reader = steppingReader();
    reader.recordObservation({ assetKey: 'shop/raw_orders', dataVersion: 'v1' });
    record(v1, reader, 'shop/orders', undefined, 'a1');
    record(v1, reader, 'shop/revenue');
    record(shop('4'), reader, 'shop/orders', undefined, 'b2');
    const plain: StalenessReader = {
      latestMaterialization: (k, p) => reader.latestMaterialization(k, p),
      currentDataVersion: (k, p) => reader.currentDataVersion(k, p),
    };
    expect(explainStaleness(shop('4'), 'shop/revenue', undefined, plain).chains).toEqual([
      'shop/revenue is stale because shop/orders was re-materialized (data version a1 → b2)',
    ]);
    expect(explainStaleness(shop('4'), 'shop/revenue', undefined, reader).chains).toEqual([
      'shop/revenue is stale because shop/orders was re-materialized (data version a1 → b2), because its code version changed from 3 to 4',
    ]);
  });

  test('a step shared by two paths is written once, then referred to', () => {
    const base = asset({ key: 'g/base', codeVersion: '1' }, () => 0);
    const make = (v: string) => {
      const b = asset({ key: 'g/base', codeVersion: v }, () => 0);
      const left = asset({ key: 'g/left', codeVersion: '1', deps: [b] }, () => 0);
      const right = asset({ key: 'g/right', codeVersion: '1', deps: [b] }, () => 0);
      const top = asset({ key: 'g/top', codeVersion: '1', deps: [left, right] }, () => 0);
      return definitions({ assets: [b, left, right, top] });
    };
    expect(base.key).toBe('g/base');
    const v1 = make('1');
    const reader = steppingReader();
    for (const k of ['g/base', 'g/left', 'g/right', 'g/top']) record(v1, reader, k);
    const e = explainStaleness(make('2'), 'g/top', undefined, reader);
    expect(e.text).toBe(
      [
        'g/top is stale',
        '- because g/left is stale',
        '  - because g/base is stale',
        '    - because its code version changed from 1 to 2',
        '- because g/right is stale',
        '  - because g/base is stale (explained above)',
      ].join('\n'),
    );
    expect(e.rootCauses).toHaveLength(1);
    expect(e.steps[0]!.because[0]!.because).toBe(e.steps[1]!.because[0]!.because);
  });

  test('dependency changes are roots with their own sentence', () => {
    const a = asset({ key: 'd/a', codeVersion: '1' }, () => 0);
    const b = asset({ key: 'd/b', codeVersion: '1' }, () => 0);
    const before = definitions({
      assets: [a, b, asset({ key: 'd/c', codeVersion: '1', deps: [a] }, () => 0)],
    });
    const reader = steppingReader();
    for (const k of ['d/a', 'd/b', 'd/c']) record(before, reader, k);
    const after = definitions({
      assets: [a, b, asset({ key: 'd/c', codeVersion: '1', deps: [b] }, () => 0)],
    });
    expect(explainStaleness(after, 'd/c', undefined, reader).text).toBe(
      'd/c is stale\n- because its dependencies changed (added d/b; removed d/a)',
    );
  });
});

describe('performance', () => {
  test('explains one partition of a realistic partitioned graph', () => {
    const hourly = hourlyPartitions({ start: '2024-02-01-00:00' });
    const daily = dailyPartitions({ start: '2024-02-01' });
    const now = new Date('2024-03-02T00:00:00Z'); // 30 days, 720 hours
    const build = (stagingVersion: string) => {
      const assets: AnyAssetDefinition[] = [];
      const staging: AnyAssetDefinition[] = [];
      for (let s = 0; s < 5; s++) {
        const source = externalAsset({ key: `src/s${s}`, partitions: hourly });
        assets.push(source);
        for (let t = 0; t < 4; t++) {
          const stg = asset(
            {
              key: `stg/s${s}_t${t}`,
              partitions: hourly,
              codeVersion: s === 0 ? stagingVersion : '1',
              deps: { source: { asset: source, mapping: identityMapping() } },
            },
            () => 0,
          );
          staging.push(stg);
          assets.push(stg);
        }
      }
      const facts: AnyAssetDefinition[] = [];
      for (let f = 0; f < 10; f++) {
        const reads = [staging[(2 * f) % 20]!, staging[(2 * f + 1) % 20]!];
        const fact = asset(
          {
            key: `fct/f${f}`,
            partitions: daily,
            codeVersion: '1',
            deps: reads.map((r) => ({ asset: r, mapping: timeWindowMapping() })),
          },
          () => 0,
        );
        facts.push(fact);
        assets.push(fact);
      }
      for (let m = 0; m < 5; m++) {
        assets.push(
          asset(
            {
              key: `mart/m${m}`,
              partitions: daily,
              codeVersion: '1',
              deps: [facts[2 * m]!, facts[2 * m + 1]!, facts[(2 * m + 2) % 10]!],
            },
            () => 0,
          ),
        );
      }
      return definitions({ assets });
    };
    const v1 = build('1');
    const reader = steppingReader('2024-02-01T00:00:00Z');
    const hours = hourly.keys({ now });
    const days = daily.keys({ now });
    for (const key of v1.assets.keys()) {
      const a = v1.asset(key);
      for (const pk of a.partitions === hourly ? hours : days) {
        if (a.external)
          reader.recordObservation({ assetKey: key, partitionKey: pk, dataVersion: 'o1' });
        else record(v1, reader, key, pk);
      }
    }
    const v2 = build('2');
    for (const h of hours.slice(-30)) record(v2, reader, 'stg/s0_t0', h);
    reader.recordObservation({
      assetKey: 'src/s3',
      partitionKey: hours.at(-5)!,
      dataVersion: 'o2',
    });

    const day = days.at(-1)!;
    const explain = () => explainStaleness(v2, 'mart/m0', day, reader, { now });
    const first = explain();
    expect(first.status).toBe('STALE');
    expect(first.rootCauses.length).toBeGreaterThan(24);
    // Its speed is measured by bench/core-staleness.ts, not here (timed tests are flaky).

    // An evaluator shared by explanations reuses what it evaluated.
    const ev = stalenessEvaluator(v2, reader, { now });
    expect(explainPartition(ev, 'mart/m0', day).text).toBe(first.text);
  });
});
