import type { AnyAssetDefinition } from '../asset-types.js';
import type { Definitions } from '../definitions-types.js';
import { CairnError } from '../errors.js';
import type { DynamicPartitionsReader } from '../partitions/partitions-definition.js';
import { inputRef } from '../versioning/data-version.js';
import { type PartitionRequest, type PlanNode, resolveNodePartitions } from './plan-partitions.js';

/** One upstream asset a step reads, and exactly which of its partitions. */
export interface PlanInput {
  /** The upstream asset key. */
  assetKey: string;
  /** The input name for data-passing deps; absent for ordering-only deps. */
  inputName?: string;
  /** The upstream partitions read; `null` when the upstream is unpartitioned. */
  partitionKeys: string[] | null;
  /** True when the input is a Map (the edge mapping has cardinality `many`). */
  many: boolean;
}

/** One unit of work: one asset node (a multi-asset counts once) for one partition. */
export interface PlanStep {
  /** `asset_key`, `asset_key[partition]`, or the multi-asset id with the partition. */
  key: string;
  /** The asset key, or the multi-asset id. */
  node: string;
  /** The assets this step materializes (several selected outputs of a multi-asset). */
  assetKeys: string[];
  /** The partition, absent for unpartitioned assets. */
  partitionKey?: string;
  /** Keys of the steps of this plan that must succeed first. */
  deps: string[];
  /** What the step reads, one entry per dependency of the asset. */
  inputs: PlanInput[];
  /** Ids of the checks evaluated right after the step materializes. */
  checkIds: string[];
  /** `run`: execute; `reuse`: already materialized (downstream loads it); `skip`: do not run, and skip what depends on it. */
  mode: 'run' | 'reuse' | 'skip';
}

/** A run's steps in topological order: plain JSON, so the daemon can persist it and hand it to workers. */
export interface ExecutionPlan {
  version: 1;
  /** The selected asset keys, in topological order. */
  assetKeys: string[];
  steps: PlanStep[];
}

/** Options of `buildPlan()`. */
export interface BuildPlanOptions {
  /** A selection string (`*`, `shop/*`, `+revenue`...) or exact asset keys. Default `*`. */
  selection?: string | readonly string[];
  /** One partition to run. Default: none. */
  partitionKey?: string;
  /** Several partitions to run. Default: none. */
  partitionKeys?: readonly string[];
  /** Partitions from `from` to `to`, both inclusive. Default: none. */
  partitionRange?: { from: string; to: string };
  /** Step keys whose stored outputs are reused instead of recomputed (re-execution from failure). */
  reuse?: readonly string[];
  /** Step keys not to run; the steps that depend on them are skipped too. */
  skip?: readonly string[];
  /** "Now" for time-window partitions. Default `new Date()`. */
  now?: Date;
  /** Where dynamic partition keys come from. Default: none. */
  dynamic?: DynamicPartitionsReader;
}

function partitionRequest(options: BuildPlanOptions): PartitionRequest {
  const given = [
    options.partitionKey !== undefined,
    options.partitionKeys !== undefined,
    options.partitionRange !== undefined,
  ].filter(Boolean).length;
  if (given > 1) {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      'Give only one of partitionKey, partitionKeys and partitionRange.',
      {
        partitionKey: options.partitionKey,
        partitionKeys: options.partitionKeys,
        partitionRange: options.partitionRange,
      },
    );
  }
  if (options.partitionKey !== undefined) {
    if (typeof options.partitionKey !== 'string') {
      throw new CairnError(
        'CAIRN_INVALID_OPTIONS',
        `partitionKey must be a string, got ${typeof options.partitionKey}.`,
        { partitionKey: options.partitionKey },
      );
    }
    return { kind: 'keys', keys: [options.partitionKey] };
  }
  if (options.partitionKeys !== undefined) {
    const keys = options.partitionKeys;
    if (!Array.isArray(keys) || keys.length === 0 || keys.some((k) => typeof k !== 'string')) {
      throw new CairnError(
        'CAIRN_INVALID_OPTIONS',
        'partitionKeys must be a non-empty array of strings.',
        { partitionKeys: keys },
      );
    }
    return { kind: 'keys', keys: [...new Set(keys)] };
  }
  const range = options.partitionRange;
  if (range !== undefined) {
    if (typeof range?.from !== 'string' || typeof range.to !== 'string') {
      throw new CairnError(
        'CAIRN_INVALID_OPTIONS',
        'partitionRange must be { from: string, to: string }.',
        { partitionRange: range },
      );
    }
    return { kind: 'range', from: range.from, to: range.to };
  }
  return { kind: 'none' };
}

function selectedKeys(defs: Definitions, selection: string | readonly string[]): string[] {
  if (typeof selection === 'string') return defs.select(selection);
  const wanted = new Set(selection.map((k) => defs.asset(k).key));
  return [...defs.assets.keys()].filter((k) => wanted.has(k));
}

/** Groups selected, computable assets into nodes (one per multi-asset) in topological order. */
function buildNodes(defs: Definitions, keys: readonly string[]): Map<string, PlanNode> {
  const nodes = new Map<string, PlanNode>();
  const nodeOfAsset = new Map<string, PlanNode>();
  for (const key of keys) {
    const a: AnyAssetDefinition = defs.asset(key);
    // External assets are updated by reported events, never computed.
    if (a.external || a.compute === undefined) continue;
    const id = a.multi?.id ?? a.key;
    let node = nodes.get(id);
    if (node === undefined) {
      node = { id, assets: [], partitions: a.partitions, parents: [], children: [] };
      nodes.set(id, node);
    }
    node.assets.push(a);
    nodeOfAsset.set(a.key, node);
  }
  for (const node of nodes.values()) {
    for (const dep of node.assets[0]!.deps) {
      const parent = nodeOfAsset.get(dep.key);
      if (parent === undefined || parent === node) continue;
      node.parents.push({ node: parent, upstreamKey: dep.key });
      parent.children.push({ node, upstreamKey: dep.key });
    }
  }
  return nodes;
}

/**
 * Builds the execution plan of a run: one step per selected asset node and partition, in
 * topological order, each listing the steps it waits for and exactly which upstream partitions it
 * reads. Partitions come from the request where an asset has them and are derived through the
 * partition mappings for neighbours whose partitions differ (an hourly asset upstream of a daily
 * one runs for the 24 hours of the requested day).
 *
 * @example
 * const plan = buildPlan(defs, { selection: 'shop/*', partitionKey: '2024-05-01' });
 * for (const step of plan.steps) console.log(step.key, step.deps);
 */
export function buildPlan(defs: Definitions, options: BuildPlanOptions = {}): ExecutionPlan {
  const req = partitionRequest(options);
  const pctx = { now: options.now ?? new Date(), dynamic: options.dynamic };
  const keys = selectedKeys(defs, options.selection ?? '*');
  const nodes = buildNodes(defs, keys);
  const nodeList = [...nodes.values()];
  const keysOf = resolveNodePartitions(defs, nodeList, req, pctx);
  const nodeOfAsset = new Map<string, string>();
  for (const node of nodeList) for (const a of node.assets) nodeOfAsset.set(a.key, node.id);

  const reuse = new Set(options.reuse ?? []);
  const skip = new Set(options.skip ?? []);
  const steps: PlanStep[] = [];
  const stepKeys = new Set<string>();
  for (const node of nodeList) {
    const head = node.assets[0]!;
    const assetKeys = node.assets.map((a) => a.key);
    const checkIds: string[] = [];
    for (const k of assetKeys) for (const c of defs.checksByAsset.get(k) ?? []) checkIds.push(c.id);
    // Per edge: the mapping and the upstream definition, looked up once per node, not per step.
    const edges = head.deps.map((dep, i) => {
      const upNode = nodeOfAsset.get(dep.key);
      return {
        dep,
        up: defs.asset(dep.key),
        // An asset may read one upstream twice (two input names, two mappings): use each dep's own.
        mapping: dep.mapping ?? defs.mapping(head.key, dep.key),
        upNode,
        // Two deps on one node (outputs of one multi-asset) would list its steps twice.
        repeated: head.deps.slice(0, i).some((d) => nodeOfAsset.get(d.key) === upNode),
      };
    });
    for (const partitionKey of keysOf.get(node) ?? [undefined]) {
      const key = inputRef(node.id, partitionKey);
      const deps: string[] = [];
      const inputs: PlanInput[] = [];
      for (const { dep, up, mapping, upNode, repeated } of edges) {
        let partitionKeys: string[] | null = null;
        if (up.partitions !== undefined) {
          partitionKeys = mapping.upstreamKeys({
            ...pctx,
            downstreamKeys: partitionKey === undefined ? [] : [partitionKey],
            downstream: node.partitions,
            upstream: up.partitions,
          });
        }
        const input: PlanInput = {
          assetKey: dep.key,
          partitionKeys,
          many: mapping.cardinality === 'many',
        };
        if (dep.inputName !== undefined) input.inputName = dep.inputName;
        inputs.push(input);
        if (upNode === undefined) continue;
        for (const pk of partitionKeys ?? [undefined]) {
          const upStep = inputRef(upNode, pk);
          // A self-dependent asset (e.g. reads its previous day) waits for its earlier partitions
          // in this plan; those steps were added before this one, so `stepKeys` already has them.
          if (upStep === key) continue;
          if (stepKeys.has(upStep) && !(repeated && deps.includes(upStep))) deps.push(upStep);
        }
      }
      const step: PlanStep = {
        key,
        node: node.id,
        assetKeys,
        deps,
        inputs,
        checkIds,
        mode: skip.has(key) ? 'skip' : reuse.has(key) ? 'reuse' : 'run',
      };
      if (partitionKey !== undefined) step.partitionKey = partitionKey;
      steps.push(step);
      stepKeys.add(key);
    }
  }
  for (const k of [...reuse, ...skip]) {
    if (!stepKeys.has(k)) {
      throw new CairnError(
        'CAIRN_INVALID_OPTIONS',
        `Step "${k}" given in reuse/skip is not a step of this plan (steps: ${[...stepKeys].slice(0, 5).join(', ')}${stepKeys.size > 5 ? ', ...' : ''}).`,
        { step: k },
      );
    }
  }
  return { version: 1, assetKeys: nodeList.flatMap((n) => n.assets.map((a) => a.key)), steps };
}
