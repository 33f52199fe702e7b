import { describe, expect, it } from 'vitest';
import { asset } from '../../src/asset.js';
import { memoryAutomationState, onCron, onMissing } from '../../src/automation/index.js';
import { definitions } from '../../src/definitions.js';
import { dailyPartitions } from '../../src/partitions/index.js';
import { decision, runs, Ticker } from './helpers.js';

describe('onCron()', () => {
  const raw = asset({ key: 'raw', codeVersion: '1' }, () => 0);
  const report = asset(
    {
      key: 'report',
      codeVersion: '1',
      deps: [raw],
      automation: onCron('0 9 * * *', { timezone: 'Europe/Paris' }),
    },
    () => 1,
  );

  it('requests once after the tick, once every dependency updated since the tick', () => {
    const defs = definitions({ assets: [raw, report] });
    const state = memoryAutomationState();
    state.recordMaterialization({
      assetKey: 'raw',
      codeVersion: '1',
      dataVersion: 'r0',
      timestamp: new Date('2024-03-01T12:00:00Z'),
    });
    state.recordMaterialization({
      assetKey: 'report',
      codeVersion: '1',
      dataVersion: 'p0',
      timestamp: new Date('2024-03-01T12:00:00Z'),
    });
    const ticker = new Ticker(defs, state);
    // 09:00 Paris = 08:00Z.
    expect(runs(ticker.tick('2024-03-02T07:30:00Z'))).toEqual([]);
    expect(runs(ticker.tick('2024-03-02T07:59:00Z'))).toEqual([]);

    const waiting = ticker.tick('2024-03-02T08:01:00Z');
    expect(runs(waiting)).toEqual([]);
    expect(decision(waiting, 'report')!.reasons).toEqual([
      'raw was not updated since the tick at 2024-03-02T08:00:00.000Z',
    ]);

    state.recordMaterialization({
      assetKey: 'raw',
      codeVersion: '1',
      dataVersion: 'r1',
      timestamp: new Date('2024-03-02T08:05:00Z'),
    });
    const fired = ticker.tick('2024-03-02T08:10:00Z');
    expect(runs(fired)).toEqual([['report']]);
    // The tick passed at an earlier evaluation; it stayed pending until raw was updated.
    expect(decision(fired, 'report')!.reasons[1]).toBe(
      'cronTickPassed(0 9 * * *, Europe/Paris) held at an earlier tick and it was not handled since',
    );
    expect(decision(fired, 'report')!.reasons[2]).toBe(
      'every dependency was updated since the cron tick',
    );
    // Exactly once across later ticks of the same day.
    expect(runs(ticker.tick('2024-03-02T08:20:00Z'))).toEqual([]);
    state.recordMaterialization({
      assetKey: 'raw',
      codeVersion: '1',
      dataVersion: 'r2',
      timestamp: new Date('2024-03-02T09:00:00Z'),
    });
    expect(runs(ticker.tick('2024-03-02T10:00:00Z'))).toEqual([]);
    // The next day's tick fires again (raw updated after it).
    state.recordMaterialization({
      assetKey: 'raw',
      codeVersion: '1',
      dataVersion: 'r3',
      timestamp: new Date('2024-03-03T08:01:00Z'),
    });
    expect(runs(ticker.tick('2024-03-03T08:02:00Z'))).toEqual([['report']]);
  });

  it('a root asset runs at the tick', () => {
    const root = asset({ key: 'root', automation: onCron('*/15 * * * *') }, () => 0);
    const ticker = new Ticker(definitions({ assets: [root] }), memoryAutomationState());
    expect(runs(ticker.tick('2024-03-02T08:01:00Z'))).toEqual([]);
    expect(runs(ticker.tick('2024-03-02T08:14:00Z'))).toEqual([]);
    expect(runs(ticker.tick('2024-03-02T08:15:00Z'))).toEqual([['root']]);
  });
});

describe('onMissing()', () => {
  it('fills new partitions once their upstream exists, never twice', () => {
    const daily = dailyPartitions({ start: '2024-01-01' });
    const up = asset({ key: 'up', partitions: daily }, () => 0);
    const down = asset(
      { key: 'down', partitions: daily, deps: { up }, automation: onMissing() },
      () => 1,
    );
    const state = memoryAutomationState();
    for (const d of ['01', '02'])
      for (const k of ['up', 'down'])
        state.recordMaterialization({ assetKey: k, partitionKey: `2024-01-${d}` });
    const ticker = new Ticker(definitions({ assets: [up, down] }), state);
    expect(runs(ticker.tick('2024-01-03T00:30:00Z'))).toEqual([]);
    state.recordMaterialization({ assetKey: 'up', partitionKey: '2024-01-03' });
    expect(runs(ticker.tick('2024-01-04T00:30:00Z'))).toEqual([['down[2024-01-03]']]);
    expect(runs(ticker.tick('2024-01-04T00:40:00Z'))).toEqual([]);
  });
});
