import { describe, expect, it } from 'vitest';
import { asset } from '../../src/asset.js';
import { freshnessCheck } from '../../src/checks/freshness-check.js';
import { freshnessStatus } from '../../src/freshness/index.js';

const at = (s: string) => new Date(s);

describe('freshnessStatus with a rolling limit', () => {
  const orders = asset({ key: 'shop/orders', freshness: { maxLagMinutes: 60 } }, () => 1);

  it('is fresh within the limit, with the instant it becomes stale', () => {
    const s = freshnessStatus(
      orders,
      { timestamp: at('2024-03-02T08:00:00Z') },
      at('2024-03-02T08:45:00Z'),
    );
    expect(s.status).toBe('fresh');
    expect(s.lagMinutes).toBe(45);
    expect(s.deadline?.toISOString()).toBe('2024-03-02T09:00:00.000Z');
    expect(s.maxLagMinutes).toBe(60);
  });

  it('is stale past the limit, with the deadline it missed', () => {
    const s = freshnessStatus(
      orders,
      { timestamp: at('2024-03-02T08:00:00Z') },
      at('2024-03-02T09:30:00Z'),
    );
    expect(s).toMatchObject({ status: 'stale', lagMinutes: 90 });
    expect(s.deadline?.toISOString()).toBe('2024-03-02T09:00:00.000Z');
    expect(s.description).toBe(
      'shop/orders is stale: 90 minutes behind, more than the 60 allowed since 2024-03-02T09:00:00.000Z.',
    );
  });

  it('is unknown when never materialized', () => {
    expect(freshnessStatus(orders, undefined, at('2024-03-02T09:30:00Z'))).toMatchObject({
      status: 'unknown',
      lagMinutes: undefined,
      deadline: undefined,
    });
  });

  it('counts lag from the end of the partition window when later', () => {
    const s = freshnessStatus(
      orders,
      { timestamp: at('2024-03-02T12:00:00Z') },
      at('2024-03-03T00:30:00Z'),
      {
        partitionTimeWindow: { start: at('2024-03-02T00:00:00Z'), end: at('2024-03-03T00:00:00Z') },
      },
    );
    expect(s).toMatchObject({ status: 'fresh', lagMinutes: 30 });
  });
});

describe('freshnessStatus with a cron deadline', () => {
  const report = asset(
    {
      key: 'report',
      freshness: { cron: '0 9 * * *', timezone: 'Europe/Paris', maxLagMinutes: 30 },
    },
    () => 1,
  );

  it('is fresh when materialized after the latest due tick, until the next deadline', () => {
    // 09:00 Paris = 08:00Z; the deadline of today's tick is 08:30Z.
    const s = freshnessStatus(
      report,
      { timestamp: at('2024-03-02T08:10:00Z') },
      at('2024-03-02T12:00:00Z'),
    );
    expect(s.status).toBe('fresh');
    expect(s.deadline?.toISOString()).toBe('2024-03-03T08:30:00.000Z');
  });

  it('is stale when the latest materialization is older than the tick whose deadline passed', () => {
    const s = freshnessStatus(
      report,
      { timestamp: at('2024-03-01T08:10:00Z') },
      at('2024-03-02T08:31:00Z'),
    );
    expect(s.status).toBe('stale');
    expect(s.deadline?.toISOString()).toBe('2024-03-02T08:30:00.000Z');
    // Before today's deadline, yesterday's materialization still counts.
    expect(
      freshnessStatus(report, { timestamp: at('2024-03-01T08:10:00Z') }, at('2024-03-02T08:29:00Z'))
        .status,
    ).toBe('fresh');
  });

  it('agrees with freshnessCheck', async () => {
    const check = freshnessCheck({ asset: report });
    for (const [ts, now] of [
      ['2024-03-01T08:10:00Z', '2024-03-02T08:31:00Z'],
      ['2024-03-02T08:10:00Z', '2024-03-02T12:00:00Z'],
    ] as const) {
      const latest = {
        assetKey: 'report',
        partitionKey: undefined,
        timestamp: at(ts),
        metadata: {},
        dataVersion: 'v',
        codeVersion: undefined,
        runId: 'r',
      };
      const result = await check.fn({
        assetKey: 'report',
        checkName: 'freshness',
        partitionKey: undefined,
        partitionTimeWindow: undefined,
        loadValue: async () => undefined,
        history: { latestMaterialization: () => latest },
        now: at(now),
        resources: {},
        log: { debug() {}, info() {}, warn() {}, error() {} },
        signal: new AbortController().signal,
        runId: 'r',
      });
      expect(result.passed).toBe(freshnessStatus(report, latest, at(now)).status === 'fresh');
    }
  });

  it('needs a policy', () => {
    const plain = asset({ key: 'plain' }, () => 1);
    expect(() => freshnessStatus(plain, undefined, at('2024-03-02T00:00:00Z'))).toThrow(
      'Asset "plain" has no freshness policy',
    );
  });
});
