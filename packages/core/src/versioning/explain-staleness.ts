import type { Definitions } from '../definitions-types.js';
import { inputRef, parseInputRef } from './data-version.js';
import {
  describePartition,
  type PartitionRef,
  type StaleCause,
  type StaleStatus,
} from './stale-cause.js';
import { type StalenessEvaluator, type StalenessOptions, stalenessEvaluator } from './staleness.js';
import type { StalenessReader, VersionedMaterialization } from './staleness-reader.js';

/**
 * Why a data version changed when neither the code, the dependencies nor the inputs did: the asset
 * has no code version (`unversioned`: every materialization gets a new version) or its function
 * returned an explicit data version (`reported`).
 */
export type VersionChangeReason = { type: 'unversioned' } | { type: 'reported' };

/** One step of an explanation: a fact about `subject`, and the facts that led to it. */
export interface StalenessStep {
  /** The asset partition the fact is about ("its" in the sentence). */
  subject: PartitionRef;
  /** The fact, as structured data. */
  reason: StaleCause | VersionChangeReason;
  /** The fact in words, e.g. `shop/orders 2024-03-02 was re-materialized (data version a1 → b2)`. */
  sentence: string;
  /** The steps this one follows from; empty for a root cause. A shared explanation (the causes of an upstream reached by two paths) is the same array. */
  because: readonly StalenessStep[];
}

/** The explanation of one asset partition's staleness. */
export interface StalenessExplanation {
  assetKey: string;
  partitionKey: string | undefined;
  status: StaleStatus;
  /** The direct causes, each with the chain that led to it. */
  steps: readonly StalenessStep[];
  /** The leaves of the tree: the root causes, each once, in the order first reached. */
  rootCauses: readonly StalenessStep[];
  /** One sentence per root cause: `X is stale because A, because B, because <root>`. */
  chains: readonly string[];
  /** The whole tree as indented text; a shared step is written once and referred to after. */
  text: string;
}

/**
 * Explains the staleness of one asset partition back to its root causes, e.g. "shop/daily_revenue
 * 2024-03-02 is stale because shop/orders 2024-03-02 was re-materialized (data version a1 → b2),
 * because its code version changed from 3 to 4". The reasons behind an upstream's new data version
 * need the reader's `materializationWithDataVersion`; without it the chain stops at the change.
 *
 * @example
 * console.log(explainStaleness(defs, 'shop/daily_revenue', '2024-03-02', reader, { now }).text);
 */
export function explainStaleness(
  defs: Definitions,
  assetKey: string,
  partitionKey: string | undefined,
  reader: StalenessReader,
  options: StalenessOptions = {},
): StalenessExplanation {
  return explainPartition(stalenessEvaluator(defs, reader, options), assetKey, partitionKey);
}

/** `explainStaleness` with an existing evaluator, reusing what it already evaluated. */
export function explainPartition(
  evaluator: StalenessEvaluator,
  assetKey: string,
  partitionKey: string | undefined,
): StalenessExplanation {
  const { defs, reader } = evaluator;
  const result = evaluator.partition(assetKey, partitionKey);
  const key = defs.asset(assetKey).key;
  const currentMemo = new Map<string, StalenessStep[]>();
  const changeMemo = new Map<string, StalenessStep[]>();
  // A worklist instead of recursion: self-dependent assets chain thousands of partitions deep.
  // Each `because` array is handed out empty and filled when its item is processed.
  const work: (() => void)[] = [];

  const observed = (at: PartitionRef, version: string): boolean => {
    const cur = reader.currentDataVersion(at.assetKey, at.partitionKey);
    if (cur?.dataVersion === version) return cur.source === 'observation';
    return defs.assets.get(at.assetKey)?.external ?? false;
  };

  const step = (
    subject: PartitionRef,
    reason: StalenessStep['reason'],
    because: StalenessStep[] = [],
  ): StalenessStep => ({ subject, reason, sentence: sentence(reason, observed), because });

  // Why the current state of a partition is stale: its causes, each explained further.
  const explainCurrent = (subject: PartitionRef): StalenessStep[] => {
    const ref = inputRef(subject.assetKey, subject.partitionKey);
    const known = currentMemo.get(ref);
    if (known !== undefined) return known;
    const steps: StalenessStep[] = [];
    currentMemo.set(ref, steps);
    work.push(() => {
      const { causes } = evaluator.upstream(subject);
      for (const cause of causes) {
        if (cause.type === 'data')
          steps.push(
            step(subject, cause, whyChanged(cause.upstream, cause.recorded, cause.current)),
          );
        else if (cause.type === 'upstream')
          steps.push(step(subject, cause, explainCurrent(cause.upstream)));
        else steps.push(step(subject, cause));
      }
    });
    return steps;
  };

  // Why a partition's data version went from `from` to `to`: compares the two materializations.
  const whyChanged = (
    at: PartitionRef,
    from: string | undefined,
    to: string | undefined,
  ): StalenessStep[] => {
    if (
      from === undefined ||
      to === undefined ||
      reader.materializationWithDataVersion === undefined
    )
      return [];
    const memoKey = `${inputRef(at.assetKey, at.partitionKey)}\0${from}\0${to}`;
    const known = changeMemo.get(memoKey);
    if (known !== undefined) return known;
    const steps: StalenessStep[] = [];
    changeMemo.set(memoKey, steps);
    work.push(() => {
      const before = reader.materializationWithDataVersion?.(at.assetKey, at.partitionKey, from);
      const after = reader.materializationWithDataVersion?.(at.assetKey, at.partitionKey, to);
      if (before && after) steps.push(...diffMaterializations(at, before, after));
    });
    return steps;
  };

  // What differs between the materialization that produced the old version and the new one.
  const diffMaterializations = (
    at: PartitionRef,
    before: VersionedMaterialization,
    after: VersionedMaterialization,
  ): StalenessStep[] => {
    const steps: StalenessStep[] = [];
    if (before.codeVersion !== after.codeVersion)
      steps.push(step(at, { type: 'code', from: before.codeVersion, to: after.codeVersion }));
    const beforeDeps = new Set(before.depKeys);
    const afterDeps = new Set(after.depKeys);
    const added = after.depKeys.filter((k) => !beforeDeps.has(k));
    const removed = before.depKeys.filter((k) => !afterDeps.has(k));
    const removedPartitions: PartitionRef[] = [];
    const dataSteps: StalenessStep[] = [];
    for (const [ref, version] of Object.entries(after.inputDataVersions)) {
      const prior = Object.hasOwn(before.inputDataVersions, ref)
        ? before.inputDataVersions[ref]
        : undefined;
      if (prior === version) continue;
      const upstream = parseInputRef(ref);
      if (prior === undefined && added.includes(upstream.assetKey)) continue;
      const reason = { type: 'data' as const, upstream, recorded: prior, current: version };
      dataSteps.push(step(at, reason, whyChanged(upstream, prior, version)));
    }
    for (const ref of Object.keys(before.inputDataVersions)) {
      if (Object.hasOwn(after.inputDataVersions, ref)) continue;
      const upstream = parseInputRef(ref);
      if (!removed.includes(upstream.assetKey)) removedPartitions.push(upstream);
    }
    if (added.length > 0 || removed.length > 0 || removedPartitions.length > 0)
      steps.push(step(at, { type: 'dependencies', added, removed, removedPartitions }));
    steps.push(...dataSteps);
    if (steps.length === 0) {
      const why = after.codeVersion === undefined ? 'unversioned' : 'reported';
      steps.push(step(at, { type: why }));
    }
    return steps;
  };

  const subject: PartitionRef = { assetKey: key, partitionKey };
  const steps = result.status === 'STALE' ? explainCurrent(subject) : [];
  for (let item = work.pop(); item !== undefined; item = work.pop()) item();
  const head = `${describePartition(subject)} is ${headline(result.status)}`;
  const { rootCauses, chains } = collectRoots(head, steps);
  return {
    assetKey: key,
    partitionKey,
    status: result.status,
    steps,
    rootCauses,
    chains,
    text: render(head, steps),
  };
}

function headline(status: StaleStatus): string {
  if (status === 'MISSING') return 'missing: it has never been materialized';
  return status === 'STALE' ? 'stale' : 'fresh';
}

/** The words for one reason; `observed` says whether a data version came from an observation. */
function sentence(
  reason: StalenessStep['reason'],
  observed: (at: PartitionRef, version: string) => boolean,
): string {
  switch (reason.type) {
    case 'code':
      return `its code version changed from ${reason.from ?? 'none'} to ${reason.to ?? 'none'}`;
    case 'data': {
      const who = describePartition(reason.upstream);
      if (reason.current === undefined)
        return `${who} no longer has a data version (it was ${reason.recorded})`;
      if (reason.recorded === undefined)
        return `${who} has new data that was not read (data version ${reason.current})`;
      return observed(reason.upstream, reason.current)
        ? `${who} was observed with a new data version (${reason.recorded} → ${reason.current})`
        : `${who} was re-materialized (data version ${reason.recorded} → ${reason.current})`;
    }
    case 'dependencies': {
      const parts: string[] = [];
      if (reason.added.length > 0) parts.push(`added ${reason.added.join(', ')}`);
      if (reason.removed.length > 0) parts.push(`removed ${reason.removed.join(', ')}`);
      if (reason.removedPartitions.length > 0)
        parts.push(`no longer reads ${reason.removedPartitions.map(describePartition).join(', ')}`);
      return `its dependencies changed (${parts.join('; ')})`;
    }
    case 'upstream':
      return `${describePartition(reason.upstream)} is stale`;
    case 'unversioned':
      return 'it has no code version, so every materialization gets a new data version';
    case 'reported':
      return 'its function reported a new data version with the same code version and inputs';
  }
}

/** At most this many chains are written out; `rootCauses` always lists every root. */
const MAX_CHAINS = 100;
/** A chain longer than this many steps keeps its first and last steps and says how many it skips. */
const MAX_CHAIN_STEPS = 12;
/** The tree text stops after this many lines; `steps` always holds the whole tree. */
const MAX_LINES = 1000;

function collectRoots(
  head: string,
  steps: readonly StalenessStep[],
): { rootCauses: StalenessStep[]; chains: string[] } {
  const rootCauses: StalenessStep[] = [];
  const chains: string[] = [];
  const visited = new Set<StalenessStep>();
  const expanded = new Set<readonly StalenessStep[]>();
  // Depth-first with an explicit stack; visiting each step and each shared `because` array once
  // keeps this linear even when diamonds share subtrees, and every root is reached by its first path.
  const path: StalenessStep[] = [];
  const stack: { s: StalenessStep; child: number }[] = [];
  const push = (s: StalenessStep): void => {
    if (visited.has(s)) return;
    visited.add(s);
    if (s.because.length === 0) {
      rootCauses.push(s);
      if (chains.length < MAX_CHAINS) chains.push(chain(head, [...path, s]));
      return;
    }
    if (expanded.has(s.because)) return;
    expanded.add(s.because);
    path.push(s);
    stack.push({ s, child: 0 });
  };
  for (const top of steps) {
    push(top);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const next = frame.s.because[frame.child++];
      if (next === undefined) {
        stack.pop();
        path.pop();
      } else push(next);
    }
  }
  return { rootCauses, chains };
}

function chain(head: string, path: readonly StalenessStep[]): string {
  let words = path.map((s) => s.sentence);
  if (words.length > MAX_CHAIN_STEPS) {
    const keep = MAX_CHAIN_STEPS / 2;
    const skipped = words.length - 2 * keep;
    words = [...words.slice(0, keep), `… ${skipped} more steps …`, ...words.slice(-keep)];
  }
  return `${head} because ${words.join(', because ')}`;
}

function render(head: string, steps: readonly StalenessStep[]): string {
  const lines = [head];
  const written = new Set<readonly StalenessStep[]>();
  const stack: { s: StalenessStep; depth: number }[] = [];
  for (let i = steps.length - 1; i >= 0; i--) stack.push({ s: steps[i]!, depth: 0 });
  while (stack.length > 0) {
    if (lines.length > MAX_LINES) {
      lines.push('… (more steps not shown: read `steps` for the whole tree)');
      break;
    }
    const { s, depth } = stack.pop()!;
    const indent = '  '.repeat(depth);
    if (written.has(s.because)) {
      lines.push(`${indent}- because ${s.sentence} (explained above)`);
      continue;
    }
    if (s.because.length > 0) written.add(s.because);
    lines.push(`${indent}- because ${s.sentence}`);
    for (let i = s.because.length - 1; i >= 0; i--)
      stack.push({ s: s.because[i]!, depth: depth + 1 });
  }
  return lines.join('\n');
}
