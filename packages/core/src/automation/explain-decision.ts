import type { AutomationConditionType } from './automation-condition.js';
import type { ConditionTrace } from './evaluate-condition.js';

/** What each operand means when true and when false, used when no culprit can be named. */
const TEXT: Partial<Record<AutomationConditionType, readonly [string, string]>> = {
  inLatestTimeWindow: ['it is in the latest time window', 'it is not in the latest time window'],
  missing: ['it is missing', 'it is materialized'],
  newlyMissing: ['it is newly missing', 'it is not newly missing'],
  stale: ['it is stale', 'it is not stale'],
  inProgress: ['it is in progress', 'it is not in progress'],
  failed: ['its latest run failed', 'its latest run did not fail'],
  newlyUpdated: [
    'it was updated since the previous tick',
    'it was not updated since the previous tick',
  ],
  newlyRequested: [
    'it was requested by the previous tick',
    'it was not requested by the previous tick',
  ],
  initialEvaluation: ['this is the first evaluation', 'this is not the first evaluation'],
  codeVersionChanged: ['its code version changed', 'its code version did not change'],
  cronTickPassed: ['a cron tick passed', 'no cron tick passed since the previous tick'],
  anyDepsUpdated: ['a dependency was updated', 'no dependency was updated'],
  anyDepsMissing: ['a dependency is missing', 'no dependency is missing'],
  anyDepsInProgress: ['a dependency is in progress', 'no dependency is in progress'],
  anyDepsFailed: ['a dependency failed', 'no dependency failed'],
  allDepsBlockingChecksPassed: [
    'no blocking check of a dependency failed',
    'a blocking check of a dependency failed',
  ],
  allDepsUpdatedSinceCron: [
    'every dependency was updated since the cron tick',
    'a dependency was not updated since the cron tick',
  ],
};

/** The reasons `key` is true at `t`, one phrase per contributing operand. */
export function explainTrue(t: ConditionTrace, key: string): string[] {
  const [a] = t.children;
  switch (t.condition.type) {
    case 'and':
      return t.children.flatMap((c) => explainTrue(c, key));
    case 'or': {
      const hit = t.children.find((c) => c.trueSet.has(key));
      return hit === undefined ? [] : explainTrue(hit, key);
    }
    case 'not':
      return explainFalse(a!, key);
    case 'since':
      return a!.trueSet.has(key)
        ? explainTrue(a!, key)
        : [`${a!.condition} held at an earlier tick and it was not handled since`];
    case 'newlyTrue':
      return explainTrue(a!, key);
    default:
      return [t.trueWhy?.get(key) ?? t.note ?? TEXT[t.condition.type]?.[0] ?? String(t.condition)];
  }
}

/** The reasons `key` is false at `t`. */
export function explainFalse(t: ConditionTrace, key: string): string[] {
  const [a, b] = t.children;
  switch (t.condition.type) {
    case 'and': {
      const stop = t.children.find((c) => c.candidates.has(key) && !c.trueSet.has(key));
      return stop === undefined ? [] : explainFalse(stop, key);
    }
    case 'or':
      return t.children.filter((c) => c.candidates.has(key)).flatMap((c) => explainFalse(c, key));
    case 'not':
      return explainTrue(a!, key);
    case 'since':
      return b!.trueSet.has(key)
        ? [`already handled: ${explainTrue(b!, key).join(', ')}`]
        : explainFalse(a!, key);
    case 'newlyTrue':
      return a!.trueSet.has(key)
        ? [`${a!.condition} already held at the previous tick`]
        : explainFalse(a!, key);
    default:
      return [t.falseWhy?.get(key) ?? TEXT[t.condition.type]?.[1] ?? `not ${t.condition}`];
  }
}
