import type { AnyAssetDefinition, AssetGraphSnapshot, AssetNodeSnapshot } from '@cairn/core';
import type { ApiDaemon } from './api-daemon.js';
import {
  readAllStatusCounts,
  readFailingCheckIds,
  readStatusCounts,
  type StoredCounts,
} from './api-reads.js';

/** The status summary of one asset. */
export interface StatusSummary {
  total: number;
  materialized: number;
  failed: number;
  inProgress: number;
  missing: number;
  stale: number | null;
}

/** A graph node with its status and the names of its failing checks. */
export type AssetNode = AssetNodeSnapshot & { failingChecks: string[]; status: StatusSummary };

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
    // Stale counts come from one grouped query over the stale index (default on); `stale: false`
    // leaves them null.
    const stale = opts.stale === false ? undefined : await this.#staleCounts(nodes);
    const failing = await this.#failingChecks(nodes);
    return nodes.map((node) => ({
      ...node,
      failingChecks: failing.get(node.key) ?? [],
      status: this.#summary(node, counts.get(node.key), stale?.(node.key) ?? null),
    }));
  }

  /** One node with its status. */
  async node(key: string): Promise<AssetNode> {
    const asset = this.#daemon.definitions.asset(key);
    const [node] = await this.nodes([asset.key]);
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

  /** Names of the failing checks by asset (one query; only assets that have checks are looked at). */
  async #failingChecks(nodes: readonly AssetNodeSnapshot[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (!nodes.some((n) => n.checks.length > 0)) return out;
    const ids = await readFailingCheckIds(this.#daemon.storage.db);
    if (ids.size === 0) return out;
    const checksByAsset = this.#daemon.definitions.checksByAsset;
    for (const n of nodes) {
      const failing = ids.get(n.key);
      if (failing === undefined) continue;
      // Names from the definitions: a stored result of a check no longer defined is not shown.
      const names = (checksByAsset.get(n.key) ?? [])
        .filter((c) => failing.has(c.id))
        .map((c) => c.name)
        .sort();
      if (names.length > 0) out.set(n.key, names);
    }
    return out;
  }

  /**
   * Stale count of an asset (null: unknown): one grouped query when the staleness part offers it
   * (an asset absent from it has none), else `summary()` per asset. Undefined without staleness.
   */
  async #staleCounts(
    nodes: readonly AssetNodeSnapshot[],
  ): Promise<((key: string) => number | null) | undefined> {
    const staleness = this.#daemon.staleness;
    if (staleness === undefined) return undefined;
    if (staleness.staleCounts !== undefined) {
      try {
        const grouped = await staleness.staleCounts();
        return (key) => grouped.get(key) ?? 0;
      } catch {
        return undefined;
      }
    }
    // Without the grouped query, `summary()` costs ~0.3 ms per asset: only small pages get it.
    if (nodes.length > 20) return undefined;
    const out = new Map<string, number>();
    for (const n of nodes) {
      try {
        out.set(n.key, (await staleness.summary(n.key)).stale);
      } catch {
        // Staleness of one asset failing to evaluate leaves its count unknown (null), not the page.
      }
    }
    return (key) => out.get(key) ?? null;
  }

  #summary(
    node: AssetNodeSnapshot,
    c: StoredCounts | undefined,
    stale: number | null,
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
      stale,
    };
  }
}
