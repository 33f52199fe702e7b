import type { AnyAssetDefinition } from '../asset-types.js';
import type { Definitions } from '../definitions-types.js';
import { CairnError, isCairnError } from '../errors.js';
import type {
  PartitionsContext,
  PartitionsDefinition,
} from '../partitions/partitions-definition.js';

/**
 * Decides which partition keys each selected node of a plan runs for: the requested keys where the
 * node's partitions definition has them, else keys derived through the edge mappings from
 * neighbours that have keys (downstream first, then upstream), else an error naming the node.
 */

/** A node of the plan: one asset, or every selected output of one multi-asset. */
export interface PlanNode {
  /** The asset key, or the multi-asset id. */
  id: string;
  /** The selected assets of this node (outputs of a multi-asset), in topological order. */
  assets: AnyAssetDefinition[];
  /** The node's partitions definition (shared by a multi-asset's outputs). */
  partitions: PartitionsDefinition | undefined;
  /** Selected nodes this node reads: [upstream node, upstream asset key]. */
  parents: { node: PlanNode; upstreamKey: string }[];
  /** Selected nodes that read this node: [downstream node, upstream asset key they read]. */
  children: { node: PlanNode; upstreamKey: string }[];
}

/** What partitions a run asks for. */
export type PartitionRequest =
  | { kind: 'none' }
  | { kind: 'keys'; keys: readonly string[] }
  | { kind: 'range'; from: string; to: string };

function describeRequest(req: PartitionRequest): string {
  if (req.kind === 'range') return `range "${req.from}" to "${req.to}"`;
  if (req.kind === 'keys')
    return req.keys.length === 1 ? `"${req.keys[0]}"` : `keys ${JSON.stringify(req.keys)}`;
  return 'none';
}

/** The requested keys if `pd` has them all, else undefined. */
function directKeys(
  pd: PartitionsDefinition,
  req: PartitionRequest,
  pctx: PartitionsContext,
): string[] | undefined {
  if (req.kind === 'keys')
    return req.keys.every((k) => pd.has(k, pctx)) ? [...req.keys] : undefined;
  if (req.kind === 'range') {
    if (!pd.has(req.from, pctx) || !pd.has(req.to, pctx)) return undefined;
    try {
      return pd.range(req.from, req.to, pctx);
    } catch (err) {
      if (isCairnError(err, 'CAIRN_UNKNOWN_PARTITION')) return undefined;
      throw err;
    }
  }
  return undefined;
}

/** Orders de-duplicated keys by their index in `pd` (arithmetic for time windows). */
function inOrder(pd: PartitionsDefinition, keys: Set<string>, pctx: PartitionsContext): string[] {
  const list = [...keys];
  if (list.length < 2) return list;
  const idx = new Map(list.map((k) => [k, pd.indexOf(k, pctx)]));
  return list.sort((a, b) => idx.get(a)! - idx.get(b)!);
}

/**
 * Resolves the partition keys of every node: `undefined` for an unpartitioned node (it runs once),
 * else the non-empty list of keys it runs for. Throws CAIRN_PARTITION_REQUIRED or
 * CAIRN_UNKNOWN_PARTITION naming the first node that cannot be resolved.
 */
export function resolveNodePartitions(
  defs: Definitions,
  nodes: readonly PlanNode[],
  req: PartitionRequest,
  pctx: PartitionsContext,
): Map<PlanNode, string[] | undefined> {
  const keysOf = new Map<PlanNode, string[] | undefined>();
  const pending: PlanNode[] = [];
  for (const node of nodes) {
    if (node.partitions === undefined) keysOf.set(node, undefined);
    else {
      const direct = directKeys(node.partitions, req, pctx);
      if (direct !== undefined) keysOf.set(node, direct);
      else pending.push(node);
    }
  }
  if (req.kind !== 'none' && pending.length === nodes.filter((n) => n.partitions).length) {
    // Not one selected asset has the requested key: a typo, not something to derive.
    const first = pending[0];
    throw new CairnError(
      'CAIRN_UNKNOWN_PARTITION',
      first === undefined
        ? `Partition ${describeRequest(req)} was requested, but none of the selected assets (${nodes.map((n) => `"${n.id}"`).join(', ')}) is partitioned. Leave the partition out.`
        : `Partition ${describeRequest(req)} is not a partition of any selected asset (e.g. "${first.id}", whose first keys are ${JSON.stringify(first.partitions!.slice(0, 3, pctx))}). Check the key and its format.`,
      { request: req, assets: nodes.map((n) => n.id) },
    );
  }
  // Derive until nothing changes: upstream of a node with keys first (what it reads), then
  // downstream of one (what reads it). Each pass settles at least one node or stops.
  let progress = pending.length > 0 && req.kind !== 'none';
  while (progress) {
    progress = false;
    for (let i = pending.length - 1; i >= 0; i--) {
      const node = pending[i]!;
      const keys = deriveFrom(defs, node, 'children', keysOf, pctx);
      if (keys !== undefined) {
        keysOf.set(node, keys);
        pending.splice(i, 1);
        progress = true;
      }
    }
    for (let i = 0; i < pending.length; i++) {
      const node = pending[i]!;
      const keys = deriveFrom(defs, node, 'parents', keysOf, pctx);
      if (keys !== undefined) {
        keysOf.set(node, keys);
        pending.splice(i, 1);
        i--;
        progress = true;
      }
    }
  }
  const stuck = pending[0];
  if (stuck !== undefined) {
    const sample = JSON.stringify(stuck.partitions!.slice(0, 3, pctx));
    if (req.kind === 'none') {
      throw new CairnError(
        'CAIRN_PARTITION_REQUIRED',
        `Asset "${stuck.id}" is partitioned, and no partition was given: pass partitionKey (e.g. one of ${sample}) or partitionRange.`,
        { asset: stuck.id },
      );
    }
    throw new CairnError(
      'CAIRN_UNKNOWN_PARTITION',
      `Partition ${describeRequest(req)} is not a partition of asset "${stuck.id}" (keys look like ${sample}), and no selected neighbour's partitions map to it. Select it in a separate run with one of its own keys.`,
      { asset: stuck.id, request: req },
    );
  }
  return keysOf;
}

/** Keys for `node` from its resolved, partitioned neighbours on one side, or undefined. */
function deriveFrom(
  defs: Definitions,
  node: PlanNode,
  side: 'children' | 'parents',
  keysOf: Map<PlanNode, string[] | undefined>,
  pctx: PartitionsContext,
): string[] | undefined {
  const found = new Set<string>();
  let any = false;
  for (const edge of node[side]) {
    const other = edge.node;
    const otherKeys = keysOf.get(other);
    if (otherKeys === undefined) continue;
    any = true;
    if (side === 'children') {
      const mapping = defs.mapping(other.assets[0]!.key, edge.upstreamKey);
      for (const k of mapping.upstreamKeys({
        ...pctx,
        downstreamKeys: otherKeys,
        downstream: other.partitions,
        upstream: node.partitions,
      }))
        found.add(k);
    } else {
      const mapping = defs.mapping(node.assets[0]!.key, edge.upstreamKey);
      for (const k of mapping.downstreamKeys({
        ...pctx,
        upstreamKeys: otherKeys,
        downstream: node.partitions,
        upstream: other.partitions,
      }))
        found.add(k);
    }
  }
  if (!any || found.size === 0) return undefined;
  return inOrder(node.partitions!, found, pctx);
}
