import { describe, expect, it } from 'vitest';
import { asset } from '../../src/asset.js';
import {
  AutomationCondition as AC,
  type AutomationCondition,
  evaluateAutomation,
  memoryAutomationState,
  parseAutomationMemory,
} from '../../src/automation/index.js';
import { definitions } from '../../src/definitions.js';
import { dailyPartitions } from '../../src/partitions/index.js';
import { Ticker } from './helpers.js';

const daily = dailyPartitions({ start: '2024-01-01' });
const now = '2024-01-06T00:30:00Z'; // partitions 01..05

/** The partitions of `down` for which `condition` is true, evaluated on one tick. */
function truthOf(
  condition: AutomationCondition,
  setup: (s: ReturnType<typeof memoryAutomationState>) => void = () => {},
  ticks: string[] = [now],
): string[][] {
  const up = asset({ key: 'up', partitions: daily, codeVersion: '1' }, () => 0);
  const down = asset(
    { key: 'down', partitions: daily, codeVersion: '1', deps: { up }, automation: condition },
    () => 1,
  );
  const state = memoryAutomationState({ now: () => new Date('2024-01-05T00:00:00Z') });
  const ticker = new Ticker(definitions({ assets: [up, down] }), state, { maxRunsPerTick: 1000 });
  const out: string[][] = [];
  for (const [i, t] of ticks.entries()) {
    if (i === ticks.length - 1 || i === 0) setup(state);
    const r = ticker.tick(t);
    out.push(r.runRequests.map((x) => x.partitionKey!).sort());
  }
  return out;
}

describe('operands', () => {
  it('missing / inLatestTimeWindow', () => {
    const seed = (s: ReturnType<typeof memoryAutomationState>) => {
      s.recordMaterialization({ assetKey: 'down', partitionKey: '2024-01-02' });
    };
    expect(truthOf(AC.missing(), seed)).toEqual([
      ['2024-01-01', '2024-01-03', '2024-01-04', '2024-01-05'],
    ]);
    expect(truthOf(AC.missing().and(AC.inLatestTimeWindow()), seed)).toEqual([['2024-01-05']]);
    expect(truthOf(AC.missing().and(AC.inLatestTimeWindow({ days: 1 })), seed)).toEqual([
      ['2024-01-04', '2024-01-05'],
    ]);
  });

  it('not / or / and', () => {
    const seed = (s: ReturnType<typeof memoryAutomationState>) => {
      s.recordMaterialization({ assetKey: 'down', partitionKey: '2024-01-02' });
      s.recordMaterialization({ assetKey: 'up', partitionKey: '2024-01-03' });
    };
    expect(truthOf(AC.not(AC.missing()), seed)).toEqual([['2024-01-02']]);
    expect(truthOf(AC.missing().and(AC.not(AC.anyDepsMissing())), seed)).toEqual([['2024-01-03']]);
    expect(truthOf(AC.anyDepsMissing().not().or(AC.not(AC.missing())), seed)).toEqual([
      ['2024-01-02', '2024-01-03'],
    ]);
  });

  it('stale / failed / inProgress / anyDepsFailed / anyDepsInProgress', () => {
    const seed = (s: ReturnType<typeof memoryAutomationState>) => {
      for (const d of ['01', '02', '03']) {
        const up = s.recordMaterialization({
          assetKey: 'up',
          partitionKey: `2024-01-${d}`,
          codeVersion: '1',
          dataVersion: `u${d}`,
        });
        s.recordMaterialization({
          assetKey: 'down',
          partitionKey: `2024-01-${d}`,
          codeVersion: '1',
          inputDataVersions: { [`up[2024-01-${d}]`]: up.dataVersion },
          depKeys: ['up'],
        });
      }
      s.recordMaterialization({
        assetKey: 'up',
        partitionKey: '2024-01-02',
        codeVersion: '1',
        dataVersion: 'changed',
      });
      s.recordFailure('down', '2024-01-05');
      s.setInProgress('down', '2024-01-04');
      s.recordFailure('up', '2024-01-01');
      s.setInProgress('up', '2024-01-03');
    };
    expect(truthOf(AC.stale(), seed)).toEqual([['2024-01-02']]);
    expect(truthOf(AC.failed(), seed)).toEqual([['2024-01-05']]);
    // In-progress partitions are never requested, whatever the condition says.
    expect(truthOf(AC.inProgress(), seed)).toEqual([[]]);
    expect(truthOf(AC.anyDepsFailed(), seed)).toEqual([['2024-01-01']]);
    expect(truthOf(AC.anyDepsInProgress(), seed)).toEqual([['2024-01-03']]);
  });

  it('newlyUpdated / newlyRequested / anyDepsUpdated / initialEvaluation over two ticks', () => {
    const t = ['2024-01-06T00:30:00Z', '2024-01-06T00:40:00Z'];
    const seed = (s: ReturnType<typeof memoryAutomationState>) => {
      s.recordMaterialization({
        assetKey: 'up',
        partitionKey: '2024-01-04',
        dataVersion: `x${Math.random()}`,
      });
      s.recordMaterialization({
        assetKey: 'down',
        partitionKey: '2024-01-02',
        dataVersion: `y${Math.random()}`,
      });
    };
    expect(truthOf(AC.anyDepsUpdated(), seed, t)).toEqual([[], ['2024-01-04']]);
    expect(truthOf(AC.newlyUpdated(), seed, t)).toEqual([[], ['2024-01-02']]);
    expect(truthOf(AC.initialEvaluation().and(AC.inLatestTimeWindow()), seed, t)).toEqual([
      ['2024-01-05'],
      [],
    ]);
    // Requested on tick 1 → newly requested on tick 2 → requested again, and so on.
    expect(
      truthOf(AC.inLatestTimeWindow().and(
        AC.initialEvaluation().or(AC.newlyRequested()),
      ), () => {}, [...t, '2024-01-06T00:50:00Z']),
    ).toEqual([['2024-01-05'], ['2024-01-05'], ['2024-01-05']]);
    expect(
      truthOf(AC.inLatestTimeWindow().and(
        AC.initialEvaluation().or(AC.newlyRequested().not()),
      ), () => {}, [...t, '2024-01-06T00:50:00Z']),
    ).toEqual([['2024-01-05'], [], ['2024-01-05']]);
  });

  it('newlyTrue and since keep memory across ticks', () => {
    const ticks = ['2024-01-06T00:30:00Z', '2024-01-06T00:40:00Z', '2024-01-06T00:50:00Z'];
    // missing().newlyTrue(): true on the first tick only.
    expect(truthOf(AC.missing().newlyTrue().and(AC.inLatestTimeWindow()), () => {}, ticks)).toEqual(
      [['2024-01-05'], [], []],
    );
    // since(trigger, reset): initialEvaluation triggers, newlyRequested resets the tick after.
    expect(
      truthOf(
        AC.inLatestTimeWindow().and(AC.since(AC.initialEvaluation(), AC.newlyRequested())),
        () => {},
        ticks,
      ),
    ).toEqual([['2024-01-05'], [], []]);
  });
});

describe('conditions as data', () => {
  it('describes eager as the composition of its operands', () => {
    const d = AC.eager().describe();
    expect(d.label).toBe('eager');
    expect(d.type).toBe('and');
    expect(d.children.map((c) => c.type)).toEqual([
      'inLatestTimeWindow',
      'since',
      'not',
      'not',
      'not',
      'allDepsBlockingChecksPassed',
      'not',
    ]);
    expect(String(AC.eager())).toBe('eager');
    expect(String(AC.missing().and(AC.anyDepsMissing().not()))).toBe('(missing & !anyDepsMissing)');
    expect(String(AC.onCron('0 9 * * *', { timezone: 'Europe/Paris' }))).toBe(
      'onCron(0 9 * * *, Europe/Paris)',
    );
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
  });

  it('rejects invalid inputs at the boundary', () => {
    expect(() => AC.onCron('bad cron')).toThrow(/Invalid cron expression/);
    expect(() => AC.onCron('0 9 * * *', { timezone: 'Nowhere/City' })).toThrow(/Nowhere\/City/);
    expect(() => AC.inLatestTimeWindow({ days: -1 })).toThrow(/lookback days is -1/);
    expect(() => AC.and()).toThrow(/at least one condition/);
    expect(() => AC.not({ type: 'x' } as never)).toThrow(/not an automation condition/);
  });

  it('validates memory read back from storage and reports tree counts', () => {
    expect(() => parseAutomationMemory({ version: 2 })).toThrow(/"version": expected 1/);
    const a = asset({ key: 'a', automation: AC.eager() }, () => 0);
    const defs = definitions({ assets: [a] });
    const r = evaluateAutomation(defs, memoryAutomationState(), { now: new Date(now) });
    const copy = JSON.parse(JSON.stringify(r.memory));
    expect(parseAutomationMemory(copy)).toEqual(r.memory);
    const tree = r.conditionTree('a')!;
    expect(tree).toMatchObject({ label: 'eager', candidateCount: 1, trueCount: 1, skipped: false });
    expect(() =>
      evaluateAutomation(defs, memoryAutomationState(), {
        now: new Date(now),
        previous: { ...copy, assets: { a: { codeVersion: 3 } } },
      }),
    ).toThrow(/assets\.a\.codeVersion/);
  });
});
