import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asset } from '../../src/asset.js';
import { planOf } from '../../src/automation/evaluate-condition.js';
import {
  anyDepsUpdated,
  cronTickPassed,
  eager,
  evaluateAutomation,
  inProgress,
  type MemoryAutomationState,
  memoryAutomationState,
  missing,
  newlyUpdated,
  not,
  onCron,
  onMissing,
} from '../../src/automation/index.js';
import { definitions } from '../../src/definitions.js';
import { dailyPartitions } from '../../src/partitions/index.js';
import { runs, Ticker } from './helpers.js';

/**
 * A tick skips "quiet" assets (nothing their condition waits for happened) without evaluating
 * them. The shortcut must never change what a tick requests: these tests run the same random
 * history through a ticker that skips and one that evaluates every asset, and compare every tick.
 */
function world() {
  const daily = dailyPartitions({ start: '2024-03-01' });
  const r1 = asset({ key: 'u/r1', codeVersion: '1', automation: eager() }, () => 1);
  const r2 = asset({ key: 'u/r2', codeVersion: '1' }, () => 1);
  const x = asset({ key: 'u/x', codeVersion: '1', deps: { r1, r2 }, automation: eager() }, () => 1);
  const y = asset(
    { key: 'u/y', codeVersion: '1', deps: { x }, automation: onCron('0 */6 * * *') },
    () => 1,
  );
  const z = asset(
    {
      key: 'u/z',
      codeVersion: '1',
      deps: { x, y },
      automation: missing()
        .or(anyDepsUpdated().since(newlyUpdated()))
        .and(not(inProgress()))
        .or(cronTickPassed('30 * * * *').and(missing())),
    },
    () => 1,
  );
  const p1 = asset({ key: 'p/p1', partitions: daily, automation: eager() }, () => 1);
  const p2 = asset({ key: 'p/p2', partitions: daily, deps: { p1 }, automation: eager() }, () => 1);
  const p3 = asset(
    { key: 'p/p3', partitions: daily, deps: { p2 }, automation: onMissing() },
    () => 1,
  );
  return definitions({ assets: [r1, r2, x, y, z, p1, p2, p3] });
}

const KEYS = ['u/r1', 'u/r2', 'u/x', 'u/y', 'u/z', 'p/p1', 'p/p2', 'p/p3'];

type Action =
  | { kind: 'materialize'; asset: number; daysBack: number; version: number }
  | { kind: 'progress'; asset: number; daysBack: number; on: boolean }
  | { kind: 'fail'; asset: number; daysBack: number }
  | { kind: 'advance'; minutes: number }
  | { kind: 'runRequested' }
  | { kind: 'tick' };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({
    kind: fc.constant('materialize' as const),
    asset: fc.nat(KEYS.length - 1),
    daysBack: fc.nat(2),
    version: fc.nat(2),
  }),
  fc.record({
    kind: fc.constant('progress' as const),
    asset: fc.nat(KEYS.length - 1),
    daysBack: fc.nat(1),
    on: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('fail' as const),
    asset: fc.nat(KEYS.length - 1),
    daysBack: fc.nat(1),
  }),
  fc.record({ kind: fc.constant('advance' as const), minutes: fc.integer({ min: 1, max: 900 }) }),
  fc.constant({ kind: 'runRequested' as const }),
  fc.constant({ kind: 'tick' as const }),
  fc.constant({ kind: 'tick' as const }),
);

describe('skipping quiet assets', () => {
  it('shares one plan between conditions with the same tree, not between different ones', () => {
    expect(planOf(eager())).toBe(planOf(eager()));
    expect(planOf(onCron('0 9 * * *'))).toBe(planOf(onCron('0 9 * * *')));
    expect(planOf(onCron('0 9 * * *'))).not.toBe(planOf(onCron('0 10 * * *')));
    expect(planOf(eager())).not.toBe(planOf(eager().withLabel('other')));
    expect(planOf(missing().and(inProgress()))).not.toBe(planOf(inProgress().and(missing())));
  });

  it('requests exactly what evaluating every asset requests, tick after tick', () => {
    fc.assert(
      fc.property(fc.array(action, { minLength: 5, maxLength: 60 }), (actions) => {
        const defs = world();
        let now = Date.parse('2024-03-03T01:00:00Z');
        const clock = () => new Date(now);
        const states: MemoryAutomationState[] = [
          memoryAutomationState({ now: clock }),
          memoryAutomationState({ now: clock }),
        ];
        const skipping = new Ticker(defs, states[0]!, { lookback: { days: 2 } });
        const exhaustive = new Ticker(defs, states[1]!, { lookback: { days: 2 } });
        let requested: { assetKey: string; partitionKey: string | undefined }[] = [];
        const day = (daysBack: number, key: string) =>
          key.startsWith('p/')
            ? new Date(now - (daysBack + 1) * 86_400_000).toISOString().slice(0, 10)
            : undefined;
        let version = 0;
        for (const a of actions) {
          for (const state of states) {
            switch (a.kind) {
              case 'materialize': {
                const key = KEYS[a.asset]!;
                state.recordMaterialization({
                  assetKey: key,
                  partitionKey: day(a.daysBack, key),
                  codeVersion: '1',
                  dataVersion: `v${a.version}`,
                });
                break;
              }
              case 'progress': {
                const key = KEYS[a.asset]!;
                state.setInProgress(key, day(a.daysBack, key), a.on);
                break;
              }
              case 'fail': {
                const key = KEYS[a.asset]!;
                state.recordFailure(key, day(a.daysBack, key));
                break;
              }
              case 'runRequested':
                for (const r of requested)
                  state.recordMaterialization({
                    ...r,
                    codeVersion: '1',
                    dataVersion: `run-${version}`,
                  });
                break;
              default:
                break;
            }
          }
          if (a.kind === 'runRequested') {
            version++;
            requested = [];
          }
          if (a.kind === 'advance') now += a.minutes * 60_000;
          if (a.kind !== 'tick') continue;
          const at = new Date(now);
          const fast = skipping.tick(at);
          const full = evaluateAutomation(defs, states[1]!, {
            now: at,
            previous: exhaustive.memory,
            lookback: { days: 2 },
            skipQuiet: false,
          });
          exhaustive.memory = full.memory;
          expect(runs(fast)).toEqual(runs(full));
          const decisions = (r: typeof fast) =>
            r.assets.flatMap((e) => e.requested.map((d) => d.text));
          expect(decisions(fast)).toEqual(decisions(full));
          requested = fast.runRequests.flatMap((r) =>
            r.assetKeys.map((assetKey) => ({ assetKey, partitionKey: r.partitionKey })),
          );
        }
      }),
      { numRuns: 200 },
    );
  });
});
