import { DirectedGraph } from 'graphology';
import type { AnyAssetDefinition, ResolvedDep } from '../asset-types.js';
import type { AnyAssetCheckDefinition } from '../checks/asset-check.js';
import { CairnError } from '../errors.js';
import type { PartitionMapping } from '../mappings/partition-mapping.js';
import type { AssetGraphSnapshot } from './asset-graph-snapshot.js';
import { closeMatches, didYouMean } from './close-matches.js';
import { resolveEdgeMapping } from './resolve-edge-mapping.js';
import { cycleError, topologicalOrder } from './topological-order.js';

/** One asset in the graph: its definition and the names of the checks on it. */
export interface AssetGraphNode {
  readonly key: string;
  readonly asset: AnyAssetDefinition;
  /** Names of the checks on this asset, sorted. */
  readonly checks: readonly string[];
  /** Position in `AssetGraph.keys`. */
  readonly index: number;
}

/** One edge upstream → downstream with its resolved partition mapping. */
export interface AssetGraphEdge {
  readonly from: string;
  readonly to: string;
  /** The mapping of the first dep that names `from` (explicit, else inferred). */
  readonly mapping: PartitionMapping;
  /** Every dep of `to` that names `from` (an asset may read one upstream under two input names), with its mapping. */
  readonly deps: readonly {
    readonly inputName: string | undefined;
    readonly mapping: PartitionMapping;
  }[];
}

/** Options of `new AssetGraph()`. */
export interface AssetGraphOptions {
  /** Checks, to list their names on nodes and in snapshots. Checks on unknown assets are ignored here (`definitions()` rejects them). Default none. */
  checks?: readonly AnyAssetCheckDefinition[];
}

type NodeAttributes = { asset: AnyAssetDefinition; checks: string[] };
type EdgeAttributes = { edge: AssetGraphEdge };

const EMPTY: readonly string[] = Object.freeze([]);

/**
 * The lineage graph of a set of assets, validated when built: unique keys, known dependencies,
 * fitting partition mappings and no cycles. Queries answer in stable topological order (parents
 * before children, ties by key ascending), so results never depend on declaration order.
 *
 * @example
 * const graph = new AssetGraph([rawOrders, orders, revenue]);
 * graph.upstream('shop/revenue'); // ['shop/raw_orders', 'shop/orders']
 */
export class AssetGraph {
  /** Every asset key in stable topological order. */
  readonly keys: readonly string[];
  private readonly graph = new DirectedGraph<NodeAttributes, EdgeAttributes>();
  private readonly position = new Map<string, number>();
  private readonly parentsOf = new Map<string, readonly string[]>();
  private readonly childrenOf = new Map<string, readonly string[]>();
  private layerCache: string[][] | undefined;

  /**
   * Builds and validates the graph. Throws CAIRN_DUPLICATE_KEY, CAIRN_UNKNOWN_DEPENDENCY,
   * CAIRN_CYCLE, CAIRN_INCOMPATIBLE_MAPPING or CAIRN_AMBIGUOUS_INPUT naming the culprit.
   */
  constructor(assets: Iterable<AnyAssetDefinition>, options: AssetGraphOptions = {}) {
    const graph = this.graph;
    for (const asset of assets) {
      if (graph.hasNode(asset.key)) {
        throw new CairnError(
          'CAIRN_DUPLICATE_KEY',
          `Asset key "${asset.key}" is defined twice. Each asset needs its own key: rename one of them, or pass the same handle only once.`,
          { key: asset.key },
        );
      }
      graph.addNode(asset.key, { asset, checks: [] });
    }
    for (const check of options.checks ?? []) {
      if (graph.hasNode(check.assetKey))
        graph.getNodeAttributes(check.assetKey).checks.push(check.name);
    }
    graph.forEachNode((_, attrs) => {
      Object.freeze(attrs.checks.sort());
    });

    // Unknown dependencies first: every later step may assume both ends of an edge exist.
    // Plain adjacency lists serve ordering and traversal; graphology's neighbour queries build
    // a fresh array per call, which dominated build time at 10,000 assets.
    const parents = new Map<string, string[]>();
    const children = new Map<string, string[]>();
    graph.forEachNode((key) => {
      parents.set(key, []);
      children.set(key, []);
    });
    graph.forEachNode((key, { asset }) => {
      const own = parents.get(key)!;
      for (const dep of asset.deps) {
        if (!graph.hasNode(dep.key)) throw unknownDependency(asset, dep, graph.nodes());
        // Self-dependencies are added with their mapping below; they never order steps.
        if (dep.key === key || own.includes(dep.key)) continue;
        own.push(dep.key);
        children.get(dep.key)!.push(key);
      }
    });

    const order = topologicalOrder(
      graph.nodes(),
      (key) => parents.get(key)!,
      (key) => children.get(key)!,
    );
    for (const [i, key] of order.entries()) this.position.set(key, i);
    this.keys = Object.freeze(order);
    for (const key of order) {
      this.parentsOf.set(key, this.sorted(parents.get(key)!));
      this.childrenOf.set(key, this.sorted(children.get(key)!));
    }

    // Mappings are resolved once here; `definitions().mapping()` and the engine read them back.
    for (const key of order) {
      const downstream = graph.getNodeAttributes(key).asset;
      const byUpstream = new Map<string, AssetGraphEdge['deps'][number][]>();
      for (const dep of downstream.deps) {
        const upstream = graph.getNodeAttributes(dep.key).asset;
        // A self-dependency without an explicit mapping (or with identity) reads its own output.
        if (dep.key === key && (dep.mapping === undefined || dep.mapping.type === 'identity'))
          throw cycleError([key, key]);
        const mapping = resolveEdgeMapping(downstream, upstream, dep);
        const list = byUpstream.get(dep.key) ?? [];
        list.push(Object.freeze({ inputName: dep.inputName, mapping }));
        byUpstream.set(dep.key, list);
      }
      for (const [from, deps] of byUpstream) {
        const edge: AssetGraphEdge = Object.freeze({
          from,
          to: key,
          mapping: deps[0]!.mapping,
          deps: Object.freeze(deps),
        });
        graph.addDirectedEdge(from, key, { edge });
      }
    }
  }

  /** Number of assets. */
  get size(): number {
    return this.keys.length;
  }

  /** True when the graph has an asset with this key. */
  has(key: string): boolean {
    return this.position.has(key);
  }

  /** The node of `key`; throws CAIRN_UNKNOWN_ASSET naming close matches. */
  node(key: string): AssetGraphNode {
    const index = this.position.get(key);
    if (index === undefined) throw this.unknownAsset(key);
    const { asset, checks } = this.graph.getNodeAttributes(key);
    return { key, asset, checks, index };
  }

  /** The asset definition of `key`; throws CAIRN_UNKNOWN_ASSET naming close matches. */
  asset(key: string): AnyAssetDefinition {
    if (!this.position.has(key)) throw this.unknownAsset(key);
    return this.graph.getNodeAttributes(key).asset;
  }

  /** Position of `key` in `keys`, or -1 when unknown. */
  indexOf(key: string): number {
    return this.position.get(key) ?? -1;
  }

  /** The edge upstream `from` → downstream `to`, or undefined when `to` does not depend on `from`. */
  edge(from: string, to: string): AssetGraphEdge | undefined {
    if (!this.position.has(from) || !this.position.has(to)) return undefined;
    if (!this.graph.hasDirectedEdge(from, to)) return undefined;
    return this.graph.getDirectedEdgeAttributes(from, to).edge;
  }

  /** Every edge, grouped by downstream key in topological order, each group by upstream in topological order. */
  edges(): AssetGraphEdge[] {
    const result: AssetGraphEdge[] = [];
    for (const key of this.keys) {
      const self = this.edge(key, key);
      for (const parent of this.parentsOf.get(key)!) result.push(this.edge(parent, key)!);
      if (self !== undefined) result.push(self);
    }
    return result;
  }

  /** True when `key` reads its own earlier partitions (a self-dependency through an explicit mapping). */
  isSelfDependent(key: string): boolean {
    return this.has(key) && this.graph.hasDirectedEdge(key, key);
  }

  /** Direct upstream keys of `key` in topological order (a self-dependency is not included). */
  parents(key: string): readonly string[] {
    this.assertKnown(key);
    return this.parentsOf.get(key)!;
  }

  /** Direct downstream keys of `key` in topological order (a self-dependency is not included). */
  children(key: string): readonly string[] {
    this.assertKnown(key);
    return this.childrenOf.get(key)!;
  }

  /** All ancestors of `key`, or those at most `depth` layers up, in topological order; never `key` itself. */
  upstream(key: string, depth?: number): string[] {
    this.assertKnown(key);
    const found = this.traverse([key], 'upstream', depth);
    found.delete(key);
    return this.sortKeys(found);
  }

  /** All descendants of `key`, or those at most `depth` layers down, in topological order; never `key` itself. */
  downstream(key: string, depth?: number): string[] {
    this.assertKnown(key);
    const found = this.traverse([key], 'downstream', depth);
    found.delete(key);
    return this.sortKeys(found);
  }

  /**
   * The set of `start` keys plus every key reachable from them within `depth` steps in one
   * direction (breadth-first, so depth counts the shortest path). Unknown keys are ignored.
   */
  traverse(
    start: Iterable<string>,
    direction: 'upstream' | 'downstream',
    depth = Number.POSITIVE_INFINITY,
  ): Set<string> {
    const next = direction === 'upstream' ? this.parentsOf : this.childrenOf;
    const seen = new Set<string>();
    let frontier: string[] = [];
    for (const key of start) {
      if (this.position.has(key) && !seen.has(key)) {
        seen.add(key);
        frontier.push(key);
      }
    }
    for (let layer = 0; layer < depth && frontier.length > 0; layer++) {
      const following: string[] = [];
      for (const key of frontier) {
        for (const other of next.get(key) ?? EMPTY) {
          if (!seen.has(other)) {
            seen.add(other);
            following.push(other);
          }
        }
      }
      frontier = following;
    }
    return seen;
  }

  /** Keys without upstream dependencies, in topological order. */
  roots(): string[] {
    return this.keys.filter((k) => this.parentsOf.get(k)!.length === 0);
  }

  /** Keys nothing depends on, in topological order. */
  sinks(): string[] {
    return this.keys.filter((k) => this.childrenOf.get(k)!.length === 0);
  }

  /** Keys by layer: layer 0 holds the roots, and each key sits one layer below its deepest parent. */
  layers(): string[][] {
    if (this.layerCache === undefined) {
      const depthOf = new Map<string, number>();
      const layers: string[][] = [];
      for (const key of this.keys) {
        let depth = 0;
        for (const parent of this.parentsOf.get(key)!)
          depth = Math.max(depth, depthOf.get(parent)! + 1);
        depthOf.set(key, depth);
        const layer = layers[depth];
        if (layer === undefined) layers[depth] = [key];
        else layer.push(key);
      }
      this.layerCache = layers;
    }
    return this.layerCache.map((layer) => [...layer]);
  }

  /** The given keys in topological order; unknown keys are dropped. */
  sortKeys(keys: Iterable<string>): string[] {
    const known: string[] = [];
    for (const key of keys) if (this.position.has(key)) known.push(key);
    return known.sort((a, b) => this.position.get(a)! - this.position.get(b)!);
  }

  /** A JSON-serializable description of the graph for the daemon, API and UI. */
  snapshot(): AssetGraphSnapshot {
    return {
      nodes: this.keys.map((key) => {
        const { asset, checks } = this.graph.getNodeAttributes(key);
        return {
          key,
          group: asset.group,
          kinds: [...asset.kinds],
          tags: { ...asset.tags },
          owners: [...asset.owners],
          description: asset.description ?? null,
          partitions: asset.partitions?.snapshot() ?? null,
          codeVersion: asset.codeVersion ?? null,
          external: asset.external,
          checks: [...checks],
        };
      }),
      edges: this.edges().map((e) => ({ from: e.from, to: e.to, mapping: e.mapping.describe() })),
    };
  }

  /** The CAIRN_UNKNOWN_ASSET error for `key`, naming close matches. */
  unknownAsset(key: string): CairnError {
    const matches = closeMatches(key, this.keys);
    return new CairnError(
      'CAIRN_UNKNOWN_ASSET',
      `No asset has the key "${key}".${didYouMean(matches)} Keys are written as path segments joined by "/", e.g. "shop/raw_orders".`,
      { key, closeMatches: matches },
    );
  }

  private assertKnown(key: string): void {
    if (!this.position.has(key)) throw this.unknownAsset(key);
  }

  private sorted(keys: string[]): readonly string[] {
    const position = this.position;
    return Object.freeze(keys.sort((a, b) => position.get(a)! - position.get(b)!));
  }
}

function unknownDependency(
  asset: AnyAssetDefinition,
  dep: ResolvedDep,
  keys: readonly string[],
): CairnError {
  const matches = closeMatches(dep.key, keys);
  const input = dep.inputName === undefined ? '' : ` (input "${dep.inputName}")`;
  return new CairnError(
    'CAIRN_UNKNOWN_DEPENDENCY',
    `Asset "${asset.key}" depends on "${dep.key}"${input}, which is not among the assets passed to definitions().${didYouMean(matches)} Add the upstream asset to "assets", or declare it with externalAsset() if another system produces it.`,
    { asset: asset.key, dependency: dep.key, input: dep.inputName, closeMatches: matches },
  );
}
