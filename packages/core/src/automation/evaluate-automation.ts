import type { Definitions } from '../definitions-types.js';
import { CairnError } from '../errors.js';
import { toPartitionKey } from './asset-space.js';
import { automatedAssets } from './automated-assets.js';
import {
  type AssetAutomationMemory,
  type AutomationMemory,
  parseAutomationMemory,
  serializeSubset,
} from './automation-memory.js';
import type { AutomationStateReader } from './automation-state-reader.js';
import { type Lookback, lookbackMs } from './conditions.js';
import { type ConditionTrace, evaluateCondition } from './evaluate-condition.js';
import {
  type AssetAutomationEvaluation,
  type ConditionEvaluationNode,
  decide,
  skipped,
  summarize,
} from './explain-decision.js';
import { groupRequests } from './group-runs.js';
import { PartitionSubset } from './partition-subset.js';
import { isQuiet } from './quiet-condition.js';
import { AssetEvaluationContext, TickContext } from './tick-context.js';

/** Options of `evaluateAutomation()`. */
export interface EvaluateAutomationOptions {
  /** The tick's instant. Required: time is injected. */
  now: Date;
  /** The `memory` of the previous tick's result. Default: none (the first tick). */
  previous?: AutomationMemory;
  /**
   * How far back `inLatestTimeWindow()` (and so `eager()`) looks when it is given no look-back:
   * partitions whose window ends at most this long before the latest window's end are considered,
   * so stale past partitions are re-materialized too. Default: the latest window only.
   */
  lookback?: Lookback;
  /** At most this many runs are requested per tick; the rest wait for the next tick. Default 100. */
  maxRunsPerTick?: number;
  /** At most this many not-requested decisions are listed per asset (all are counted). Default 100. */
  maxDecisionsPerAsset?: number;
  /**
   * Skip assets whose condition cannot have changed since the previous tick (nothing it waits for
   * happened; they keep their memory and request nothing). Default true; false evaluates every
   * asset, which gives the same requests and is only slower (tests check that equivalence).
   */
  skipQuiet?: boolean;
}

/** One run the tick asks for. */
export interface AutomationRunRequest {
  /** Deterministic from the tick and the content, so a retried tick never requests twice. */
  runKey: string;
  /** Asset keys in topological order. */
  assetKeys: string[];
  partitionKey: string | undefined;
  tags: Record<string, string>;
}

/** The outcome of one automation tick. */
export interface AutomationResult {
  evaluatedAt: Date;
  runRequests: AutomationRunRequest[];
  /** Assets with at least one decision, in topological order. */
  assets: AssetAutomationEvaluation[];
  /** How many assets had a condition evaluated. */
  evaluatedAssetCount: number;
  /** The memory to persist and pass as `previous` next tick. */
  memory: AutomationMemory;
  /** The evaluated condition tree of an asset with counts per node, or undefined when it has no condition. */
  conditionTree(assetKey: string): ConditionEvaluationNode | undefined;
}

/** Memory objects this module returned: passed back unchanged in-process, they need no validation. */
const produced = new WeakSet<object>();

/**
 * Evaluates every asset's automation condition at `now` against `state` and returns the runs to
 * request, a decision with its reasons for every interesting partition, and the memory for the
 * next tick. Candidates come from changes (the reader's updates since the previous tick) and
 * clock events (new windows, cron ticks), so a tick costs what changed, not what exists.
 *
 * Rules on top of the conditions: external assets are never requested, a partition already
 * queued or running is never requested, connected requested partitions with one key form one
 * run, and at most `maxRunsPerTick` runs are requested (the rest stay pending for the next tick).
 *
 * @example
 * let memory: AutomationMemory | undefined;
 * const tick = evaluateAutomation(defs, state, { now: new Date(), previous: memory });
 * for (const run of tick.runRequests) await submit(run);
 * memory = tick.memory;
 */
export function evaluateAutomation(
  defs: Definitions,
  state: AutomationStateReader,
  options: EvaluateAutomationOptions,
): AutomationResult {
  const steps = automationSteps(defs, state, options);
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}

/** Options of `evaluateAutomationAsync()`: those of `evaluateAutomation()` plus how to share the thread. */
export interface EvaluateAutomationAsyncOptions extends EvaluateAutomationOptions {
  /**
   * Evaluate for about this many milliseconds, then let the event loop run (`pause`) before the
   * next slice. The unit of work is one asset's condition, so a slice lasts at least one asset.
   * 0 pauses after every asset. Default 20.
   */
  sliceMs?: number;
  /** How to let the event loop run between slices. Default: wait for `setImmediate`. */
  pause?: () => Promise<void>;
}

/** `evaluateAutomation()`'s result, plus how the evaluation shared the thread. */
export interface AsyncAutomationResult extends AutomationResult {
  /** How many slices the evaluation took (1 when it never paused). */
  slices: number;
  /** The longest slice, in ms: the longest the evaluation kept the event loop from running. */
  longestSliceMs: number;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * `evaluateAutomation()` in slices: the same evaluation and result, but the event loop runs
 * between slices (about `sliceMs` each), so a server in the same process keeps answering while a
 * tick over a large graph runs. The reader may change between slices; what changed after the
 * tick started is reported by `updatesSince` to the next tick, which re-evaluates it.
 *
 * @example
 * const tick = await evaluateAutomationAsync(defs, state, { now: new Date(), previous: memory, sliceMs: 20 });
 */
export async function evaluateAutomationAsync(
  defs: Definitions,
  state: AutomationStateReader,
  options: EvaluateAutomationAsyncOptions,
): Promise<AsyncAutomationResult> {
  const sliceMs = options?.sliceMs ?? 20;
  if (typeof sliceMs !== 'number' || !Number.isFinite(sliceMs) || sliceMs < 0) {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      `evaluateAutomationAsync(): sliceMs is ${String(sliceMs)}; give a number of milliseconds >= 0.`,
      { sliceMs },
    );
  }
  const pause = options.pause ?? nextTurn;
  const steps = automationSteps(defs, state, options);
  let slices = 1;
  let longest = 0;
  let start = performance.now();
  for (;;) {
    const step = steps.next();
    const elapsed = performance.now() - start;
    if (step.done === true) {
      return { ...step.value, slices, longestSliceMs: Math.max(longest, elapsed) };
    }
    if (elapsed >= sliceMs) {
      longest = Math.max(longest, elapsed);
      await pause();
      slices++;
      start = performance.now();
    }
  }
}

/** The evaluation, pausing (yielding) after each asset's condition: the unit of a slice. */
function* automationSteps(
  defs: Definitions,
  state: AutomationStateReader,
  options: EvaluateAutomationOptions,
): Generator<void, AutomationResult, void> {
  const now = options?.now;
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      `evaluateAutomation() needs { now } as a valid Date; got ${String(now)}.`,
      {},
    );
  }
  const maxRuns = options.maxRunsPerTick ?? 100;
  const maxDecisions = options.maxDecisionsPerAsset ?? 100;
  for (const [name, v] of [
    ['maxRunsPerTick', maxRuns],
    ['maxDecisionsPerAsset', maxDecisions],
  ] as const) {
    if (!Number.isInteger(v) || v < 0) {
      throw new CairnError(
        'CAIRN_INVALID_OPTIONS',
        `evaluateAutomation(): ${name} is ${String(v)}; give an integer >= 0.`,
        { [name]: v },
      );
    }
  }
  const previous =
    options.previous === undefined || produced.has(options.previous)
      ? options.previous
      : parseAutomationMemory(options.previous);
  const lookback =
    options.lookback === undefined ? 0 : lookbackMs(options.lookback, 'evaluateAutomation()');
  const tick = new TickContext(defs, state, now, lookback, previous);
  const skipQuiet = options.skipQuiet !== false;

  const contexts = new Map<string, AssetEvaluationContext>();
  const traces = new Map<string, ConditionTrace>();
  const heldBack = new Map<string, Map<string, string>>();
  const { list: automated, index: automatedIndex } = automatedAssets(defs);
  /** The memory a quiet asset keeps, by its index in `automated`. */
  const quiet: (AssetAutomationMemory | undefined)[] = new Array(automated.length);
  /** Assets that requested something, in graph order. */
  const requesting: string[] = [];
  let quietCount = 0;
  for (const [i, entry] of automated.entries()) {
    const { key, asset, plan } = entry;
    const memory = previous?.assets[key];
    // Checked before building the asset's evaluation context: most assets of a large graph are
    // quiet, and a tick over them should cost a few lookups each, not allocations.
    if (skipQuiet && memory !== undefined && isQuiet(plan, tick, entry, memory)) {
      // Nothing it waits for happened: false everywhere, memory unchanged (minus last tick's requests).
      // It requests nothing: readers treat an asset missing from `tick.requested` as requesting nothing.
      quiet[i] =
        memory.requested === undefined
          ? memory
          : { codeVersion: memory.codeVersion, nodes: memory.nodes };
      // Quiet assets cost about a microsecond each: pausing after every 64 is often enough.
      if (++quietCount % 64 === 0) yield;
      continue;
    }
    const ac = new AssetEvaluationContext(tick, asset, memory);
    contexts.set(key, ac);
    const trace = evaluateCondition(plan, ac.space.allSubset, ac);
    traces.set(key, trace);
    // Never request what is already queued or running, whatever the condition says.
    const busy = new Map<string, string>();
    const requested = trace.trueSet.isEmpty
      ? trace.trueSet
      : trace.trueSet.filter((k) => {
          if (!state.isInProgress(key, toPartitionKey(k))) return true;
          busy.set(k, 'it is already queued or running');
          return false;
        });
    if (busy.size > 0) heldBack.set(key, busy);
    tick.request(key, requested);
    if (!requested.isEmpty) requesting.push(key);
    yield;
  }

  // Runs: connected partitions with one key together; latest keys first, then upstream first.
  const groups = groupRequests(defs, requesting, tick.requested, contexts).sort(
    (a, b) =>
      (a.key < b.key ? 1 : a.key > b.key ? -1 : 0) ||
      defs.graph.indexOf(a.assetKeys[0]!) - defs.graph.indexOf(b.assetKeys[0]!),
  );
  const iso = now.toISOString();
  const runRequests: AutomationRunRequest[] = [];
  for (const [i, g] of groups.entries()) {
    if (i >= maxRuns) {
      for (const assetKey of g.assetKeys) {
        let m = heldBack.get(assetKey);
        if (m === undefined) {
          m = new Map();
          heldBack.set(assetKey, m);
        }
        m.set(
          g.key,
          `the tick reached maxRunsPerTick (${maxRuns}); it stays pending for the next tick`,
        );
        const s = tick.requested.get(assetKey)!;
        tick.requested.set(assetKey, s.minus(PartitionSubset.trusted(s.space, new Set([g.key]))));
      }
      continue;
    }
    runRequests.push({
      runKey: `automation:${iso}:${g.assetKeys[0]}${g.key === '' ? '' : `:${g.key}`}`,
      assetKeys: g.assetKeys,
      partitionKey: toPartitionKey(g.key),
      tags: { 'cairn/source': 'automation', 'cairn/tick': iso },
    });
  }

  const assets: AssetAutomationEvaluation[] = [];
  const memoryAssets: Record<string, AssetAutomationMemory> = {};
  for (const [i, { key }] of automated.entries()) {
    const same = quiet[i];
    if (same !== undefined) {
      memoryAssets[key] = same;
      continue;
    }
    const ac = contexts.get(key)!;
    const trace = traces.get(key)!;
    const requested = tick.requested.get(key)!;
    const m: AssetAutomationMemory = { codeVersion: ac.asset.codeVersion ?? null };
    if (!requested.isEmpty) m.requested = serializeSubset(requested);
    if (Object.keys(ac.nextNodes).length > 0) m.nodes = ac.nextNodes;
    memoryAssets[key] = m;
    const evaluation = decide(key, trace, requested, heldBack.get(key), maxDecisions);
    if (evaluation !== undefined) assets.push(evaluation);
    yield;
  }

  const memory: AutomationMemory = {
    version: 1,
    evaluatedAt: iso,
    cursor: tick.cursor,
    assets: memoryAssets,
  };
  produced.add(memory);
  return {
    evaluatedAt: now,
    runRequests,
    assets,
    evaluatedAssetCount: automated.length,
    memory,
    conditionTree: (assetKey) => {
      const t = traces.get(assetKey);
      if (t !== undefined) return summarize(t);
      const i = automatedIndex.get(assetKey);
      const c =
        i === undefined || quiet[i] === undefined ? undefined : automated[i]!.asset.automation;
      return c === undefined ? undefined : skipped(c as ConditionTrace['condition']);
    },
  };
}
