import {
  AutomationCondition,
  asset,
  dailyPartitions,
  definitions,
  eager,
  evaluateAutomation,
  memoryAutomationState,
  onCron,
} from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { decodeEvaluation, encodeEvaluation } from '../../src/automation/evaluation-record.js';

describe('stored evaluation records', () => {
  it('round-trip every evaluation and tree of real ticks exactly, in far fewer bytes', () => {
    const daily = dailyPartitions({ start: '2024-03-01' });
    const raw = asset({ key: 'shop/raw', partitions: daily }, () => 1);
    const clean = asset(
      { key: 'shop/clean', partitions: daily, deps: { raw }, automation: eager() },
      () => 1,
    );
    const { missing, inProgress, anyDepsUpdated } = AutomationCondition;
    const custom = asset(
      {
        key: 'shop/custom',
        automation: missing().and(inProgress().not()).or(anyDepsUpdated()),
      },
      () => 1,
    );
    const report = asset(
      { key: 'shop/report', deps: { custom }, automation: onCron('0 9 * * *') },
      () => 1,
    );
    const defs = definitions({ assets: [raw, clean, report, custom] });
    const state = memoryAutomationState({ now: () => new Date('2024-03-03T10:00:00Z') });
    state.recordMaterialization({
      assetKey: 'shop/raw',
      partitionKey: '2024-03-01',
      dataVersion: '1',
    });
    const first = evaluateAutomation(defs, state, {
      now: new Date('2024-03-03T10:00:00Z'),
      lookback: { days: 3 },
    });
    state.setInProgress('shop/clean', '2024-03-01');
    const second = evaluateAutomation(defs, state, {
      now: new Date('2024-03-04T10:00:00Z'),
      previous: first.memory,
      lookback: { days: 3 },
    });
    let checked = 0;
    let plain = 0;
    let stored = 0;
    for (const result of [first, second]) {
      for (const e of result.assets) {
        const tree = result.conditionTree(e.assetKey);
        const json = encodeEvaluation(e, tree);
        expect(decodeEvaluation(json, e.assetKey)).toEqual({ ...e, tree });
        plain += JSON.stringify({ ...e, tree }).length;
        stored += json.length;
        checked++;
      }
    }
    // Requested and not-requested decisions, partitioned and not, labelled and composed trees.
    const all = [...first.assets, ...second.assets];
    expect(all.some((e) => e.requested.length > 0)).toBe(true);
    expect(all.some((e) => e.notRequested.length > 0)).toBe(true);
    expect(all.map((e) => e.assetKey)).toEqual(
      expect.arrayContaining(['shop/clean', 'shop/report', 'shop/custom']),
    );
    expect(checked).toBeGreaterThan(3);
    expect(stored).toBeLessThan(plain / 2);
  });

  it('keeps a sentence that is not the derived one, and reads rows of the older plain form', () => {
    const e = {
      assetKey: 'a',
      condition: 'eager',
      requested: [
        { assetKey: 'a', partitionKey: undefined, requested: true, reasons: ['x'], text: 'custom' },
      ],
      notRequested: [],
      notRequestedCount: 0,
    };
    expect(decodeEvaluation(encodeEvaluation(e, undefined), 'a')).toEqual({
      ...e,
      tree: undefined,
    });
    const old = {
      ...e,
      tree: {
        label: 'eager',
        type: 'and',
        candidateCount: 1,
        trueCount: 1,
        skipped: false,
        children: [],
      },
    };
    expect(decodeEvaluation(JSON.stringify(old), 'a')).toEqual(old);
  });
});
