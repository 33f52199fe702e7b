import { describePartition } from '../versioning/stale-cause.js';
import { toPartitionKey } from './asset-space.js';
import type { AutomationConditionType } from './automation-condition.js';
import type { ConditionTrace } from './evaluate-condition.js';
import type { PartitionSubset } from './partition-subset.js';

/** Why one asset partition was or was not requested. */
export interface AutomationDecision {
  assetKey: string;
  partitionKey: string | undefined;
  requested: boolean;
  /** One phrase per contributing condition, e.g. `shop/raw_orders 2024-03-02 was updated`. */
  reasons: string[];
  /** The decision as a sentence. */
  text: string;
}

/** The evaluation of one asset's condition. */
export interface AssetAutomationEvaluation {
  assetKey: string;
  /** The condition in its one-line form (its label, e.g. `eager`). */
  condition: string;
  /** Partitions requested, each with why. */
  requested: AutomationDecision[];
  /** Partitions that got past the condition's first two parts (or were held back by the tick) but were not requested, with why. */
  notRequested: AutomationDecision[];
  /** How many not-requested decisions there were, listed or not. */
  notRequestedCount: number;
}

/** A node of an asset's evaluated condition tree, with counts (for the UI). */
export interface ConditionEvaluationNode {
  label: string;
  type: string;
  candidateCount: number;
  trueCount: number;
  /** True when the asset was not evaluated: nothing its condition waits for happened since the previous tick. */
  skipped: boolean;
  children: ConditionEvaluationNode[];
}

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

/**
 * A decision as a sentence, e.g. `shop/orders 2024-03-02 requested by eager because shop/raw_orders
 * 2024-03-02 was updated.` (stores that keep only the reasons rebuild the text with it).
 */
export function decisionText(
  assetKey: string,
  partitionKey: string | undefined,
  requested: boolean,
  conditionLabel: string,
  reasons: readonly string[],
): string {
  const subject = describePartition({ assetKey, partitionKey });
  return `${subject} ${requested ? 'requested' : 'not requested'} by ${conditionLabel} because ${reasons.join('; ')}.`;
}

/** An asset's evaluation with its decisions and their reasons, or undefined when it has none to report. */
export function decide(
  assetKey: string,
  trace: ConditionTrace,
  requested: PartitionSubset,
  held: ReadonlyMap<string, string> | undefined,
  maxDecisions: number,
): AssetAutomationEvaluation | undefined {
  const second = trace.condition.type === 'and' ? trace.children[1] : undefined;
  const nearMisses = second === undefined ? undefined : second.trueSet.minus(trace.trueSet);
  if (requested.isEmpty && held === undefined && (nearMisses === undefined || nearMisses.isEmpty))
    return undefined;
  const label = String(trace.condition);
  const decision = (key: string, ok: boolean, reasons: string[]): AutomationDecision => {
    const partitionKey = toPartitionKey(key);
    return {
      assetKey,
      partitionKey,
      requested: ok,
      reasons,
      text: decisionText(assetKey, partitionKey, ok, label, reasons),
    };
  };
  const out: AutomationDecision[] = [];
  for (const key of requested.keys()) out.push(decision(key, true, explainTrue(trace, key)));
  const notRequested: AutomationDecision[] = [];
  let notRequestedCount = 0;
  const note = (key: string, reasons: string[]) => {
    notRequestedCount++;
    if (notRequested.length < maxDecisions) notRequested.push(decision(key, false, reasons));
  };
  for (const [key, why] of held ?? []) note(key, [why]);
  // Near misses: partitions that passed the first two parts of an `and` (for eager: in the window
  // and triggered) but not the rest. Quiet partitions are only counted in the tree.
  if (nearMisses !== undefined)
    for (const key of nearMisses.keys()) note(key, explainFalse(trace, key));
  if (out.length === 0 && notRequestedCount === 0) return undefined;
  return { assetKey, condition: label, requested: out, notRequested, notRequestedCount };
}

/** The tree of a condition that was not evaluated because nothing it waits for happened. */
export function skipped(c: ConditionTrace['condition']): ConditionEvaluationNode {
  return {
    label: String(c),
    type: c.type,
    candidateCount: 0,
    trueCount: 0,
    skipped: true,
    children: c.children.map(skipped),
  };
}

/** The evaluated tree of a condition with its counts per node. */
export function summarize(t: ConditionTrace): ConditionEvaluationNode {
  return {
    skipped: false,
    label: String(t.condition),
    type: t.condition.type,
    candidateCount: t.candidates.size,
    trueCount: t.trueSet.size,
    children: t.children.map(summarize),
  };
}
