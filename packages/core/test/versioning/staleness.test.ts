import { describe, expect, test } from 'vitest';
import { asset } from '../../src/asset.js';
import type { AnyAssetDefinition } from '../../src/asset-types.js';
import { definitions } from '../../src/definitions.js';
import type { Definitions } from '../../src/definitions-types.js';
import { isCairnError } from '../../src/errors.js';
import { externalAsset } from '../../src/external-asset.js';
import {
  assetStaleness,
  defaultDataVersion,
  explainStaleness,
  type MemoryStalenessReader,
  materializationInput,
  partitionStaleness,
} from '../../src/versioning/index.js';
import { steppingReader } from './history.js';

const NOW = new Date('2024-03-05T12:00:00Z');

const newReader = () => steppingReader();

function record(
  defs: Definitions,
  reader: MemoryStalenessReader,
  key: string,
  facts: { dataVersion?: string } = {},
) {
  return reader.recordMaterialization(
    materializationInput(defs, key, undefined, reader, { now: NOW, ...facts }),
  );
}

const raw = externalAsset({ key: 'shop/raw_orders' });
const orders = (codeVersion: string | undefined) =>
  asset({ key: 'shop/orders', codeVersion, deps: { raw } }, ({ raw }) => raw);
const revenue = (deps: readonly AnyAssetDefinition[]) =>
  asset({ key: 'shop/revenue', codeVersion: '1', deps }, () => 0);

/** `null` declares shop/orders without a code version. */
function shop(ordersVersion: string | null = '1') {
  const o = orders(ordersVersion ?? undefined);
  return definitions({ assets: [raw, o, revenue([o])] });
}

const status = (defs: Definitions, reader: MemoryStalenessReader, key: string) =>
  partitionStaleness(defs, key, undefined, reader, { now: NOW });

describe('partitionStaleness on unpartitioned assets', () => {
  test('never materialized → MISSING with no causes; an observed external asset is present', () => {
    const defs = shop();
    const reader = newReader();
    expect(status(defs, reader, 'shop/raw_orders')).toEqual({ status: 'MISSING', causes: [] });
    expect(status(defs, reader, 'shop/revenue')).toEqual({ status: 'MISSING', causes: [] });
    reader.recordObservation({ assetKey: 'shop/raw_orders', dataVersion: 'v1' });
    expect(status(defs, reader, 'shop/raw_orders')).toEqual({ status: 'FRESH', causes: [] });
    expect(status(defs, reader, 'shop/orders')).toEqual({ status: 'MISSING', causes: [] });
  });

  test('everything materialized from the current inputs → FRESH', () => {
    const defs = shop();
    const reader = newReader();
    reader.recordObservation({ assetKey: 'shop/raw_orders', dataVersion: 'v1' });
    const o = record(defs, reader, 'shop/orders');
    expect(o.inputDataVersions).toEqual({ 'shop/raw_orders': 'v1' });
    expect(o.depKeys).toEqual(['shop/raw_orders']);
    expect(o.dataVersion).toBe(defaultDataVersion('1', { 'shop/raw_orders': 'v1' }));
    record(defs, reader, 'shop/revenue');
    for (const key of ['shop/raw_orders', 'shop/orders', 'shop/revenue'])
      expect(status(defs, reader, key)).toEqual({ status: 'FRESH', causes: [] });
  });

  test('a new observation of an external asset makes its dependents stale, transitively', () => {
    const defs = shop();
    const reader = newReader();
    reader.recordObservation({ assetKey: 'shop/raw_orders', dataVersion: 'v1' });
    record(defs, reader, 'shop/orders');
    record(defs, reader, 'shop/revenue');
    reader.recordObservation({ assetKey: 'shop/raw_orders', dataVersion: 'v2' });
    expect(status(defs, reader, 'shop/orders')).toEqual({
      status: 'STALE',
      causes: [
        {
          type: 'data',
          upstream: { assetKey: 'shop/raw_orders', partitionKey: undefined },
          recorded: 'v1',
          current: 'v2',
        },
      ],
    });
    expect(status(defs, reader, 'shop/revenue')).toEqual({
      status: 'STALE',
      causes: [
        {
          type: 'upstream',
          upstream: { assetKey: 'shop/orders', partitionKey: undefined },
          status: 'STALE',
        },
      ],
    });
    expect(explainStaleness(defs, 'shop/revenue', undefined, reader, { now: NOW }).chains).toEqual([
      'shop/revenue is stale because shop/orders is stale, because shop/raw_orders was observed with a new data version (v1 → v2)',
    ]);
  });

  test('same code and same inputs give the same default data version, so downstream stays fresh', () => {
    const defs = shop();
    const reader = newReader();
    reader.recordObservation({ assetKey: 'shop/raw_orders', dataVersion: 'v1' });
    const first = record(defs, reader, 'shop/orders');
    record(defs, reader, 'shop/revenue');
    const again = record(defs, reader, 'shop/orders');
    expect(again.dataVersion).toBe(first.dataVersion);
    expect(again.runId).not.toBe(first.runId);
    expect(status(defs, reader, 'shop/revenue')).toEqual({ status: 'FRESH', causes: [] });
  });

  test('without a code version every materialization is a new data version', () => {
    const defs = shop(null);
    const reader = newReader();
    reader.recordObservation({ assetKey: 'shop/raw_orders', dataVersion: 'v1' });
    const first = record(defs, reader, 'shop/orders');
    record(defs, reader, 'shop/revenue');
    const again = record(defs, reader, 'shop/orders');
    expect(again.dataVersion).not.toBe(first.dataVersion);
    expect(status(defs, reader, 'shop/revenue').causes).toEqual([
      {
        type: 'data',
        upstream: { assetKey: 'shop/orders', partitionKey: undefined },
        recorded: first.dataVersion,
        current: again.dataVersion,
      },
    ]);
    expect(explainStaleness(defs, 'shop/revenue', undefined, reader).chains).toEqual([
      `shop/revenue is stale because shop/orders was re-materialized (data version ${first.dataVersion} → ${again.dataVersion}), because it has no code version, so every materialization gets a new data version`,
    ]);
  });

  test('an explicit data version equal to the recorded one is not a change', () => {
    const defs = shop();
    const reader = newReader();
    reader.recordObservation({ assetKey: 'shop/raw_orders', dataVersion: 'v1' });
    record(defs, reader, 'shop/orders', { dataVersion: 'a1' });
    record(defs, reader, 'shop/revenue');
    record(defs, reader, 'shop/orders', { dataVersion: 'a1' });
    expect(status(defs, reader, 'shop/revenue').status).toBe('FRESH');
    record(defs, reader, 'shop/orders', { dataVersion: 'b2' });
    expect(explainStaleness(defs, 'shop/revenue', undefined, reader).chains).toEqual([
      'shop/revenue is stale because shop/orders was re-materialized (data version a1 → b2), because its function reported a new data version with the same code version and inputs',
    ]);
  });
});

describe('code version changes', () => {
  test('a changed code version is a code cause and propagates downstream as upstream', () => {
    const reader = newReader();
    const v1 = shop('3');
    reader.recordObservation({ assetKey: 'shop/raw_orders', dataVersion: 'v1' });
    record(v1, reader, 'shop/orders', { dataVersion: 'a1' });
    record(v1, reader, 'shop/revenue');
    const v2 = shop('4');
    expect(status(v2, reader, 'shop/orders')).toEqual({
      status: 'STALE',
      causes: [{ type: 'code', from: '3', to: '4' }],
    });
    expect(status(v2, reader, 'shop/revenue').causes).toEqual([
      {
        type: 'upstream',
        upstream: { assetKey: 'shop/orders', partitionKey: undefined },
        status: 'STALE',
      },
    ]);
    const explained = explainStaleness(v2, 'shop/revenue', undefined, reader);
    expect(explained.chains).toEqual([
      'shop/revenue is stale because shop/orders is stale, because its code version changed from 3 to 4',
    ]);
    expect(explained.text).toBe(
      [
        'shop/revenue is stale',
        '- because shop/orders is stale',
        '  - because its code version changed from 3 to 4',
      ].join('\n'),
    );
  });

  test('after re-materializing the changed asset, downstream names the data change and its root', () => {
    const reader = newReader();
    reader.recordObservation({ assetKey: 'shop/raw_orders', dataVersion: 'v1' });
    const v1 = shop('3');
    record(v1, reader, 'shop/orders', { dataVersion: 'a1' });
    record(v1, reader, 'shop/revenue');
    const v2 = shop('4');
    record(v2, reader, 'shop/orders', { dataVersion: 'b2' });
    expect(status(v2, reader, 'shop/orders')).toEqual({ status: 'FRESH', causes: [] });
    const explained = explainStaleness(v2, 'shop/revenue', undefined, reader);
    expect(explained.status).toBe('STALE');
    expect(explained.chains).toEqual([
      'shop/revenue is stale because shop/orders was re-materialized (data version a1 → b2), because its code version changed from 3 to 4',
    ]);
    expect(explained.rootCauses).toHaveLength(1);
    expect(explained.rootCauses[0]!.subject).toEqual({
      assetKey: 'shop/orders',
      partitionKey: undefined,
    });
    expect(explained.rootCauses[0]!.reason).toEqual({ type: 'code', from: '3', to: '4' });
  });

  test('a code version removed from the definition is a change to none', () => {
    const reader = newReader();
    reader.recordObservation({ assetKey: 'shop/raw_orders', dataVersion: 'v1' });
    record(shop('3'), reader, 'shop/orders');
    const defs = shop(null);
    expect(status(defs, reader, 'shop/orders').causes).toEqual([
      { type: 'code', from: '3', to: undefined },
    ]);
    expect(explainStaleness(defs, 'shop/orders', undefined, reader).text).toBe(
      'shop/orders is stale\n- because its code version changed from 3 to none',
    );
  });
});

describe('dependency changes', () => {
  const customers = asset({ key: 'shop/customers', codeVersion: '1' }, () => []);

  function setup() {
    const reader = newReader();
    const o = orders('1');
    const before = definitions({ assets: [raw, o, customers, revenue([o])] });
    reader.recordObservation({ assetKey: 'shop/raw_orders', dataVersion: 'v1' });
    record(before, reader, 'shop/orders');
    record(before, reader, 'shop/customers');
    record(before, reader, 'shop/revenue');
    return { reader, o, before };
  }

  test('an added dependency is named once, as dependencies (no data cause for it)', () => {
    const { reader, o, before } = setup();
    expect(status(before, reader, 'shop/revenue').status).toBe('FRESH');
    const after = definitions({ assets: [raw, o, customers, revenue([o, customers])] });
    expect(status(after, reader, 'shop/revenue')).toEqual({
      status: 'STALE',
      causes: [
        { type: 'dependencies', added: ['shop/customers'], removed: [], removedPartitions: [] },
      ],
    });
    expect(explainStaleness(after, 'shop/revenue', undefined, reader).text).toBe(
      'shop/revenue is stale\n- because its dependencies changed (added shop/customers)',
    );
  });

  test('a removed dependency is named', () => {
    const { reader } = setup();
    const after = definitions({ assets: [raw, orders('1'), customers, revenue([])] });
    expect(status(after, reader, 'shop/revenue').causes).toEqual([
      { type: 'dependencies', added: [], removed: ['shop/orders'], removedPartitions: [] },
    ]);
  });
});

describe('boundary', () => {
  test('an unknown asset or a partition key on an unpartitioned asset is refused', () => {
    const defs = shop();
    const reader = newReader();
    expect(() => status(defs, reader, 'shop/revenu')).toThrowError(/shop\/revenu/);
    try {
      partitionStaleness(defs, 'shop/revenue', '2024-03-01', reader);
      expect.unreachable();
    } catch (err) {
      expect(isCairnError(err, 'CAIRN_UNKNOWN_PARTITION')).toBe(true);
    }
  });

  test('assetStaleness of an unpartitioned asset has one entry keyed undefined', () => {
    const defs = shop();
    const reader = newReader();
    expect([...assetStaleness(defs, 'shop/orders', reader, { now: NOW })]).toEqual([
      [undefined, { status: 'MISSING', causes: [] }],
    ]);
  });
});
