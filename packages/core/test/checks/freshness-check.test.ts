import { describe, expect, test } from 'vitest';
import { asset } from '../../src/asset.js';
import { freshnessCheck } from '../../src/checks/freshness-check.js';
import { isCairnError } from '../../src/errors.js';
import { memoryStalenessReader } from '../../src/versioning/staleness-reader.js';
import { runCheck } from './check-context.js';

const at = (iso: string) => new Date(iso);
const ts = (iso: string) => ({ type: 'timestamp', iso });

function historyWith(...times: string[]) {
  const reader = memoryStalenessReader();
  for (const t of times)
    reader.recordMaterialization({ assetKey: 'shop/orders', timestamp: at(t) });
  return reader;
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isCairnError(err) ? err.code : 'not a CairnError';
  }
  return undefined;
}

describe('freshnessCheck, rolling lag', () => {
  test('defaults: name freshness, severity warn, not blocking', () => {
    const check = freshnessCheck({ asset: 'shop/orders', maxLagMinutes: 60 });
    expect(check.id).toBe('shop/orders:freshness');
    expect(check.severity).toBe('warn');
    expect(check.blocking).toBe(false);
    expect(check.description).toBe('Materialized within the last 60 minutes.');
    // Only failed checks of severity error block, so blocking implies error unless told otherwise.
    const blocking = freshnessCheck({ asset: 'shop/orders', maxLagMinutes: 60, blocking: true });
    expect(blocking.severity).toBe('error');
    expect(blocking.blocking).toBe(true);
  });

  test('passes at exactly maxLagMinutes and fails one minute later', async () => {
    const check = freshnessCheck({ asset: 'shop/orders', maxLagMinutes: 60 });
    const history = historyWith('2024-03-05T10:00:00.000Z', '2024-03-05T11:00:00.000Z');
    const ok = await runCheck(check, history, { now: at('2024-03-05T12:00:00.000Z') });
    expect(ok.passed).toBe(true);
    expect(ok.metadata).toEqual({
      lagMinutes: 60,
      maxLagMinutes: 60,
      lastMaterializedAt: ts('2024-03-05T11:00:00.000Z'),
    });
    const late = await runCheck(check, history, { now: at('2024-03-05T12:01:00.000Z') });
    expect(late.passed).toBe(false);
    expect(late.metadata?.lagMinutes).toBe(61);
    expect(late.description).toBe(
      'shop/orders is late: it was last materialized 61 minutes ago (2024-03-05T11:00:00.000Z), more than the 60 minutes allowed; materialize it or raise maxLagMinutes.',
    );
  });

  test('never materialized → failed with a description', async () => {
    const check = freshnessCheck({ asset: 'shop/orders', maxLagMinutes: 5 });
    const result = await runCheck(check, memoryStalenessReader(), {
      now: at('2024-03-05T12:00:00Z'),
      partitionKey: '2024-03-04',
    });
    expect(result).toEqual({
      passed: false,
      description:
        'shop/orders 2024-03-04 has never been materialized, so it cannot be within 5 minutes; materialize it.',
      metadata: { maxLagMinutes: 5 },
    });
  });

  test('a partition materialized before its window closed lags from the window end', async () => {
    const check = freshnessCheck({ asset: 'shop/orders', maxLagMinutes: 60 });
    const history = memoryStalenessReader();
    history.recordMaterialization({
      assetKey: 'shop/orders',
      partitionKey: '2024-03-04',
      timestamp: at('2024-03-04T20:00:00.000Z'),
    });
    const window = { start: at('2024-03-04T00:00:00.000Z'), end: at('2024-03-05T00:00:00.000Z') };
    const ok = await runCheck(check, history, {
      now: at('2024-03-05T00:30:00.000Z'),
      partitionKey: '2024-03-04',
      partitionTimeWindow: window,
    });
    expect(ok.passed).toBe(true);
    expect(ok.metadata).toEqual({
      lagMinutes: 30,
      maxLagMinutes: 60,
      lastMaterializedAt: ts('2024-03-04T20:00:00.000Z'),
      windowEnd: ts('2024-03-05T00:00:00.000Z'),
    });
    const late = await runCheck(check, history, {
      now: at('2024-03-05T01:30:00.000Z'),
      partitionKey: '2024-03-04',
      partitionTimeWindow: window,
    });
    expect(late.passed).toBe(false);
    expect(late.metadata?.lagMinutes).toBe(90);
  });

  test('a partition materialized after its window closed lags from the materialization', async () => {
    const check = freshnessCheck({ asset: 'shop/orders', maxLagMinutes: 60 });
    const history = memoryStalenessReader();
    history.recordMaterialization({
      assetKey: 'shop/orders',
      partitionKey: '2024-03-04',
      timestamp: at('2024-03-05T01:00:00.000Z'),
    });
    const result = await runCheck(check, history, {
      now: at('2024-03-05T03:00:00.000Z'),
      partitionKey: '2024-03-04',
      partitionTimeWindow: { start: at('2024-03-04T00:00:00Z'), end: at('2024-03-05T00:00:00Z') },
    });
    expect(result.passed).toBe(false);
    expect(result.metadata).toEqual({
      lagMinutes: 120,
      maxLagMinutes: 60,
      lastMaterializedAt: ts('2024-03-05T01:00:00.000Z'),
    });
  });

  test("an asset handle's freshness policy is used when the check gives none", async () => {
    const orders = asset({ key: 'shop/orders', freshness: { maxLagMinutes: 15 } }, () => []);
    const check = freshnessCheck({ asset: orders, severity: 'error', blocking: true });
    expect(check.severity).toBe('error');
    expect(check.blocking).toBe(true);
    const result = await runCheck(check, historyWith('2024-03-05T11:50:00.000Z'), {
      now: at('2024-03-05T12:00:00.000Z'),
    });
    expect(result.passed).toBe(true);
    expect(result.metadata?.lagMinutes).toBe(10);
  });
});

describe('freshnessCheck, cron deadline', () => {
  const check = freshnessCheck({ asset: 'shop/orders', cron: '0 9 * * *', maxLagMinutes: 60 });

  test('updated after the latest tick whose deadline passed → passed', async () => {
    const result = await runCheck(check, historyWith('2024-03-05T09:20:00.000Z'), {
      now: at('2024-03-05T10:30:00.000Z'),
    });
    expect(result.passed).toBe(true);
    expect(result.metadata).toEqual({
      maxLagMinutes: 60,
      cronTick: ts('2024-03-05T09:00:00.000Z'),
      deadline: ts('2024-03-05T10:00:00.000Z'),
      lagMinutes: 70,
      lastMaterializedAt: ts('2024-03-05T09:20:00.000Z'),
    });
  });

  test("within today's grace period, yesterday's update is enough", async () => {
    const result = await runCheck(check, historyWith('2024-03-04T09:20:00.000Z'), {
      now: at('2024-03-05T09:30:00.000Z'),
    });
    expect(result.passed).toBe(true);
    expect(result.metadata?.cronTick).toEqual(ts('2024-03-04T09:00:00.000Z'));
  });

  test('at the deadline without an update since the tick → failed', async () => {
    const result = await runCheck(check, historyWith('2024-03-04T09:20:00.000Z'), {
      now: at('2024-03-05T10:00:00.000Z'),
    });
    expect(result.passed).toBe(false);
    expect(result.description).toBe(
      'shop/orders is late: the "0 9 * * *" tick at 2024-03-05T09:00:00.000Z (UTC) required a materialization by 2024-03-05T10:00:00.000Z, but the latest materialization is from 2024-03-04T09:20:00.000Z.',
    );
  });

  test('an update just before the tick does not count for it', async () => {
    const result = await runCheck(check, historyWith('2024-03-05T08:59:00.000Z'), {
      now: at('2024-03-05T11:00:00.000Z'),
    });
    expect(result.passed).toBe(false);
  });

  test('the cron is read in the given timezone', async () => {
    const paris = freshnessCheck({
      asset: 'shop/orders',
      cron: '0 9 * * *',
      timezone: 'Europe/Paris',
    });
    // 09:00 in Paris is 08:00 UTC in March (before the switch to summer time on 31 March).
    const result = await runCheck(paris, historyWith('2024-03-05T08:05:00.000Z'), {
      now: at('2024-03-05T08:10:00.000Z'),
    });
    expect(result.passed).toBe(true);
    expect(result.metadata?.cronTick).toEqual(ts('2024-03-05T08:00:00.000Z'));
    expect(result.metadata?.deadline).toEqual(ts('2024-03-05T08:00:00.000Z'));
  });

  test('never materialized → failed naming the tick', async () => {
    const result = await runCheck(check, memoryStalenessReader(), {
      now: at('2024-03-05T10:30:00.000Z'),
    });
    expect(result.passed).toBe(false);
    expect(result.description).toBe(
      'shop/orders has never been materialized: the "0 9 * * *" tick at 2024-03-05T09:00:00.000Z (UTC) required a materialization by 2024-03-05T10:00:00.000Z; materialize it.',
    );
  });
});

describe('freshnessCheck validation', () => {
  test('refuses bad options with stable codes', () => {
    expect(codeOf(() => freshnessCheck({ asset: 'shop/orders' }))).toBe('CAIRN_INVALID_OPTIONS');
    expect(codeOf(() => freshnessCheck({ asset: 'shop/orders', maxLagMinutes: -1 }))).toBe(
      'CAIRN_INVALID_OPTIONS',
    );
    expect(codeOf(() => freshnessCheck({ asset: 'shop/orders', maxLagMinutes: Number.NaN }))).toBe(
      'CAIRN_INVALID_OPTIONS',
    );
    expect(codeOf(() => freshnessCheck({ asset: 'shop/orders', cron: 'every day' }))).toBe(
      'CAIRN_INVALID_CRON',
    );
    expect(
      codeOf(() =>
        freshnessCheck({ asset: 'shop/orders', cron: '0 9 * * *', timezone: 'Mars/Base' }),
      ),
    ).toBe('CAIRN_INVALID_TIMEZONE');
    expect(
      codeOf(() => freshnessCheck({ asset: 'shop/orders', maxLagMinutes: 1, name: 'a-b' })),
    ).toBe('CAIRN_INVALID_OPTIONS');
  });
});
