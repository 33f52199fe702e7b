import type {
  MultiPartitionsDefinition,
  TimeWindowPartitionsDefinition,
} from '../partitions/partitions-definition.js';
import { cronTicks } from '../schedules/cron-ticks.js';
import { describePartition, type StaleCause } from '../versioning/stale-cause.js';
import { toPartitionKey } from './asset-space.js';
import type { AutomationCondition } from './automation-condition.js';
import { deserializeSubset, serializeSubset } from './automation-memory.js';
import { evaluateDependencyOperand } from './evaluate-dependencies.js';
import { PartitionSubset } from './partition-subset.js';
import type { AssetEvaluationContext } from './tick-context.js';

/**
 * The record of evaluating one condition node for one asset: the partitions it was asked about,
 * those it found true, and why (per partition when an operand can name a culprit).
 */
export interface ConditionTrace {
  readonly condition: AutomationCondition;
  /** `0` for the root, `0.2` for the root's third child, and so on; memory is kept by path. */
  readonly path: string;
  readonly candidates: PartitionSubset;
  readonly trueSet: PartitionSubset;
  /** Why a true partition is true (e.g. "shop/orders 2024-03-02 was updated"), when known. */
  readonly trueWhy: ReadonlyMap<string, string> | undefined;
  /** Why a false partition is false, when known. */
  readonly falseWhy: ReadonlyMap<string, string> | undefined;
  /** A reason that holds for every true partition (e.g. "a cron tick passed at ..."). */
  readonly note: string | undefined;
  readonly children: readonly ConditionTrace[];
}

/** What an operand found: the true partitions and optional reasons. */
export interface OperandResult {
  trueSet: PartitionSubset;
  trueWhy?: Map<string, string>;
  falseWhy?: Map<string, string>;
  note?: string;
}

/** A condition node with its memory path, compiled once per condition object. */
export interface ConditionPlan {
  readonly condition: AutomationCondition;
  readonly path: string;
  readonly children: readonly ConditionPlan[];
  /** Paths of this node and every node below it (to carry memory of skipped nodes forward). */
  readonly paths: readonly string[];
  /** True when this node or one below it keeps memory between ticks. */
  readonly stateful: boolean;
}

const STATEFUL = new Set(['since', 'newlyTrue', 'newlyMissing']);

const plans = new WeakMap<AutomationCondition, ConditionPlan>();
/** Plans by the structure of their condition (see `planOf`). */
const sharedPlans = new Map<string, ConditionPlan>();
/** Distinct condition structures kept; past it the table starts over (plans stay cached per object). */
const MAX_SHARED_PLANS = 10_000;
const structureKeys = new WeakMap<AutomationCondition, string>();

/** A string that is equal for two conditions exactly when they have the same tree. */
function structureKey(c: AutomationCondition): string {
  let key = structureKeys.get(c);
  if (key === undefined) {
    const params = Object.entries(c.params)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    key = JSON.stringify([c.type, c.label ?? null, params, c.children.map(structureKey)]);
    structureKeys.set(c, key);
  }
  return key;
}

/**
 * The plan of a root condition. Cached per condition object (definitions keep theirs), and shared
 * by every condition with the same tree: `eager()` builds a new tree for each asset, and 10,000
 * assets walking 10,000 copies of the same plan each tick spend most of the tick on cache misses
 * (measured: the quiet check of 10,000 eager assets took 5x longer with one plan per asset).
 * Conditions are immutable, so a shared plan (and its `condition`) is the same for all of them.
 */
export function planOf(condition: AutomationCondition): ConditionPlan {
  let plan = plans.get(condition);
  if (plan === undefined) {
    const key = structureKey(condition);
    plan = sharedPlans.get(key);
    if (plan === undefined) {
      if (sharedPlans.size >= MAX_SHARED_PLANS) sharedPlans.clear();
      plan = compile(condition, '0');
      sharedPlans.set(key, plan);
    }
    plans.set(condition, plan);
  }
  return plan;
}

function compile(condition: AutomationCondition, path: string): ConditionPlan {
  const children = condition.children.map((c, i) => compile(c, `${path}.${i}`));
  return {
    condition,
    path,
    children,
    paths: [path, ...children.flatMap((c) => c.paths)],
    stateful: STATEFUL.has(condition.type) || children.some((c) => c.stateful),
  };
}

function traceOf(
  plan: ConditionPlan,
  candidates: PartitionSubset,
  r: OperandResult,
  children: readonly ConditionTrace[],
): ConditionTrace {
  return {
    condition: plan.condition,
    path: plan.path,
    candidates,
    trueSet: r.trueSet,
    trueWhy: r.trueWhy,
    falseWhy: r.falseWhy,
    note: r.note,
    children,
  };
}

const NO_TRACES: readonly ConditionTrace[] = Object.freeze([]);

/**
 * Evaluates a condition plan for the partitions `candidates` of one asset. Composites narrow the
 * candidates of their children (an `and` child only sees what earlier children kept; an `or` child
 * only what earlier ones rejected), so expensive operands run on few partitions. Children of an
 * `and` left with no candidates are not evaluated and keep their memory.
 */
export function evaluateCondition(
  plan: ConditionPlan,
  candidates: PartitionSubset,
  ac: AssetEvaluationContext,
): ConditionTrace {
  const kids = plan.children;
  const path = plan.path;
  switch (plan.condition.type) {
    case 'and': {
      const children: ConditionTrace[] = [];
      let current = candidates;
      for (let i = 0; i < kids.length; i++) {
        if (current.isEmpty) {
          carryForward(kids[i]!, ac);
          continue;
        }
        const t = evaluateCondition(kids[i]!, current, ac);
        children.push(t);
        current = t.trueSet;
      }
      return traceOf(plan, candidates, { trueSet: current }, children);
    }
    case 'or': {
      const children: ConditionTrace[] = [];
      let remaining = candidates;
      let found = ac.space.emptySubset;
      for (let i = 0; i < kids.length; i++) {
        const t = evaluateCondition(kids[i]!, remaining, ac);
        children.push(t);
        if (!t.trueSet.isEmpty) {
          found = found.union(t.trueSet);
          remaining = remaining.minus(t.trueSet);
        }
      }
      return traceOf(plan, candidates, { trueSet: found }, children);
    }
    case 'not': {
      const t = evaluateCondition(kids[0]!, candidates, ac);
      return traceOf(plan, candidates, { trueSet: candidates.minus(t.trueSet) }, [t]);
    }
    case 'since': {
      const trigger = evaluateCondition(kids[0]!, candidates, ac);
      const reset = evaluateCondition(kids[1]!, candidates, ac);
      const stored = ac.nodeMemory(path, 'since')?.subset;
      let state =
        stored === undefined
          ? trigger.trueSet
          : deserializeSubset(ac.space, stored).union(trigger.trueSet);
      // Reset wins a tie; the state is kept only within the candidates to bound the memory.
      if (!state.isEmpty) state = state.minus(reset.trueSet).intersect(candidates);
      remember(ac, path, 'since', state);
      return traceOf(plan, candidates, { trueSet: state }, [trigger, reset]);
    }
    case 'newlyTrue': {
      const child = evaluateCondition(kids[0]!, candidates, ac);
      const before = deserializeSubset(ac.space, ac.nodeMemory(path, 'newlyTrue')?.subset);
      remember(ac, path, 'newlyTrue', child.trueSet);
      return traceOf(plan, candidates, { trueSet: child.trueSet.minus(before) }, [child]);
    }
    default:
      return traceOf(
        plan,
        candidates,
        candidates.isEmpty ? { trueSet: candidates } : evaluateOperand(plan, candidates, ac),
        NO_TRACES,
      );
  }
}

/** Keeps the memory of a node that was not evaluated this tick. */
function carryForward(plan: ConditionPlan, ac: AssetEvaluationContext): void {
  const nodes = ac.memory?.nodes;
  if (nodes === undefined) return;
  for (const p of plan.paths) {
    const m = nodes[p];
    if (m !== undefined) ac.nextNodes[p] = m;
  }
}

function remember(
  ac: AssetEvaluationContext,
  path: string,
  type: string,
  subset: PartitionSubset,
): void {
  if (!subset.isEmpty) ac.nextNodes[path] = { type, subset: serializeSubset(subset) };
}

function evaluateOperand(
  plan: ConditionPlan,
  candidates: PartitionSubset,
  ac: AssetEvaluationContext,
): OperandResult {
  const { tick, asset, space } = ac;
  const { condition, path } = plan;
  switch (condition.type) {
    case 'inLatestTimeWindow':
      return { trueSet: candidates.intersect(latestWindow(ac, condition.params.lookbackMinutes)) };
    case 'missing':
      return { trueSet: candidates.filter((k) => !tick.isMaterialized(asset.key, k)) };
    case 'newlyMissing': {
      const memory = ac.nodeMemory(path, 'newlyMissing');
      const before = memory?.count;
      ac.nextNodes[path] =
        before === space.count ? memory! : { type: 'newlyMissing', count: space.count };
      // Newly missing: partitions that did not exist at the previous tick, and partitions
      // updated since then that are missing now (wiped, as Dagster counts them).
      const fresh =
        before === undefined
          ? candidates
          : candidates.intersect(PartitionSubset.range(space, before, space.count));
      const updated = tick.updatedKeys(asset.key);
      const lost =
        updated.size === 0 ? fresh : fresh.union(candidates.filter((k) => updated.has(k)));
      return { trueSet: lost.filter((k) => !tick.isMaterialized(asset.key, k)) };
    }
    case 'stale': {
      const why = new Map<string, string>();
      const trueSet = candidates.filter((k) => {
        const s = tick.stalenessOf(asset.key, k);
        if (s.status !== 'STALE') return false;
        const c = s.causes[0];
        if (c !== undefined) why.set(k, `it is stale (${staleCauseText(c)})`);
        return true;
      });
      return { trueSet, trueWhy: why };
    }
    case 'inProgress':
      return {
        trueSet: candidates.filter((k) => tick.reader.isInProgress(asset.key, toPartitionKey(k))),
      };
    case 'failed':
      return {
        trueSet: candidates.filter((k) => tick.reader.isFailed(asset.key, toPartitionKey(k))),
      };
    case 'newlyUpdated':
      // Updated and materialized: a wipe is an update of the state but not a new materialization.
      return {
        trueSet: candidates
          .intersect(PartitionSubset.of(space, tick.updatedKeys(asset.key)))
          .filter((k) => tick.isMaterialized(asset.key, k)),
      };
    case 'newlyRequested':
      return { trueSet: candidates.intersect(deserializeSubset(space, ac.memory?.requested)) };
    case 'initialEvaluation':
      return { trueSet: ac.memory === undefined ? candidates : PartitionSubset.empty(space) };
    case 'codeVersionChanged': {
      const now = asset.codeVersion ?? null;
      if (ac.memory === undefined || ac.memory.codeVersion === now)
        return { trueSet: PartitionSubset.empty(space) };
      return {
        trueSet: candidates,
        note: `its code version changed from ${ac.memory.codeVersion ?? 'none'} to ${now ?? 'none'}`,
      };
    }
    case 'cronTickPassed': {
      const prev = tick.previousAt;
      const ticks = cronTicks(String(condition.params.cron), String(condition.params.timezone));
      const passed =
        prev === undefined
          ? []
          : tick.cronTicked(ticks.cron, ticks.timezone, () => ticks.between(prev, tick.now, 1));
      if (passed.length === 0) return { trueSet: PartitionSubset.empty(space) };
      return {
        trueSet: candidates,
        note: `the "${ticks.cron}" (${ticks.timezone}) tick at ${passed[0]!.toISOString()} passed`,
      };
    }
    default:
      return evaluateDependencyOperand(condition, candidates, ac);
  }
}

/** The partitions of the latest time window, with a look-back in minutes (default: the tick's). */
function latestWindow(
  ac: AssetEvaluationContext,
  lookbackMinutes: string | number | undefined,
): PartitionSubset {
  const { space, asset, tick } = ac;
  const p = asset.partitions;
  const all = PartitionSubset.all(space);
  if (p === undefined || space.count === 0) return all;
  const lookback =
    lookbackMinutes === undefined ? tick.lookbackMs : Number(lookbackMinutes) * 60_000;
  if (p.type === 'time') {
    const tw = p as TimeWindowPartitionsDefinition;
    const latestEnd = tw.timeWindow(space.keyAt(space.count - 1)).end.getTime();
    // The first window that ends at or after latestEnd - lookback contains the instant just before it.
    const lo = tw.indexContaining(new Date(latestEnd - lookback - 1));
    return PartitionSubset.range(space, Math.max(lo, 0), space.count);
  }
  if (p.type === 'multi') {
    const multi = p as MultiPartitionsDefinition;
    const dim = multi.timeDimension;
    if (dim === undefined) return all;
    const tw = multi.dimensions.find((d) => d.name === dim)!
      .partitions as TimeWindowPartitionsDefinition;
    const n = tw.count(tick.ctx);
    if (n === 0) return PartitionSubset.empty(space);
    const latestEnd = tw.timeWindow(tw.keyAt(n - 1, tick.ctx)).end.getTime();
    const threshold = latestEnd - lookback;
    return all.filter((k) => tw.timeWindow(multi.split(k)[dim]!).end.getTime() >= threshold);
  }
  return all;
}

/** A short phrase for a staleness cause. */
export function staleCauseText(c: StaleCause): string {
  switch (c.type) {
    case 'code':
      return `code version ${c.from ?? 'none'} → ${c.to ?? 'none'}`;
    case 'data':
      return `${describePartition(c.upstream)} has a new data version`;
    case 'dependencies':
      return 'its dependencies changed';
    case 'upstream':
      return `${describePartition(c.upstream)} is stale`;
  }
}
