import type { AnyAssetDefinition, AssetGraphSnapshot, AssetNodeSnapshot } from '@cairn/core';
import type { ApiDaemon } from './api-daemon.js';
import { readAllStatusCounts, readStatusCounts, type StoredCounts } from './api-reads.js';

/** The status summary of one asset. */
export interface StatusSummary {
  total: number;
  materialized: number;
  failed: number;
  inProgress: number;
  missing: number;
  stale: number | null;
}

/** A graph node with its status. */
export type AssetNode = AssetNodeSnapshot & { status: StatusSummary };

/**
 * The graph as the API serves it. The definition part (nodes, edges) is computed once per
 * definitions object, since building it for 10,000 assets costs tens of ms; status is added per
 * request from one counts query.
 */
export class GraphView {
  readonly #daemon: ApiDaemon;
  #snapshot:
    | { defs: unknown; graph: AssetGraphSnapshot; byKey: Map<string, AssetNodeSnapshot> }
    | undefined;

  constructor(daemon: ApiDaemon) {
    this.#daemon = daemon;
  }

  /** The cached definition part of the graph (rebuilt when the daemon's definitions change). */
  snapshot(): { graph: AssetGraphSnapshot; byKey: Map<string, AssetNodeSnapshot> } {
    const defs = this.#daemon.definitions;
    if (this.#snapshot?.defs !== defs) {
      const graph = defs.graph.snapshot();
      this.#snapshot = { defs, graph, byKey: new Map(graph.nodes.map((n) => [n.key, n])) };
    }
    return this.#snapshot;
  }

  /** Number of partitions of an asset now (1 when unpartitioned). */
  total(asset: AnyAssetDefinition): number {
    if (asset.partitions === undefined) return 1;
    return asset.partitions.count({ now: new Date(), dynamic: this.#daemon.storage });
  }

  /** Nodes (all, or these keys in topological order) with their status. */
  async nodes(keys?: readonly string[], opts: { stale?: boolean } = {}): Promise<AssetNode[]> {
    const { graph, byKey } = this.snapshot();
    const nodes =
      keys === undefined
        ? graph.nodes
        : keys.map((k) => byKey.get(k)).filter((n) => n !== undefined);
    const counts =
      nodes.length > 20 || keys === undefined
        ? await readAllStatusCounts(this.#daemon.storage.db)
        : await this.#countsOf(nodes);
    // Staleness counts cost ~0.3 ms per asset (more for partitioned ones), so whole-graph reads
    // ask for them explicitly; one asset always has them.
    const stale = opts.stale === true ? await this.#staleCounts(nodes) : new Map<string, number>();
    return nodes.map((node) => ({
      ...node,
      status: this.#summary(node, counts.get(node.key), stale.get(node.key)),
    }));
  }

  /** One node with its status. */
  async node(key: string): Promise<AssetNode> {
    const asset = this.#daemon.definitions.asset(key);
    const [node] = await this.nodes([asset.key], { stale: true });
    return node!;
  }

  async #countsOf(nodes: readonly AssetNodeSnapshot[]): Promise<Map<string, StoredCounts>> {
    const db = this.#daemon.storage.db;
    const entries = await Promise.all(
      nodes.map(
        async (n) => [n.key, await readStatusCounts(db, n.key, n.partitions !== null)] as const,
      ),
    );
    return new Map(entries);
  }

  async #staleCounts(nodes: readonly AssetNodeSnapshot[]): Promise<Map<string, number>> {
    const staleness = this.#daemon.staleness;
    const out = new Map<string, number>();
    if (staleness === undefined) return out;
    for (const n of nodes) {
      try {
        out.set(n.key, (await staleness.summary(n.key)).stale);
      } catch {
        // Staleness of one asset failing to evaluate leaves its count unknown (null), not the page.
      }
    }
    return out;
  }

  #summary(
    node: AssetNodeSnapshot,
    c: StoredCounts | undefined,
    stale: number | undefined,
  ): StatusSummary {
    const asset = this.#daemon.definitions.assets.get(node.key);
    const total = asset === undefined ? 0 : this.total(asset);
    const materialized = c?.materialized ?? 0;
    const failed = c?.failed ?? 0;
    const inProgress = c?.inProgress ?? 0;
    return {
      total,
      materialized,
      failed,
      inProgress,
      missing: Math.max(0, total - materialized - failed - inProgress),
      stale: stale ?? null,
    };
  }
}
