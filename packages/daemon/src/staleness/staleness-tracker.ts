import {
  type AnyAssetDefinition,
  type Clock,
  type Definitions,
  type PartitionUpdate,
  type StaleCause,
  type StalenessEvaluator,
  stalenessEvaluator,
} from '@cairn/core';
import { automationDb, readStateValue, writeStateValue } from '../automation/automation-tables.js';
import { HeapBudget } from '../automation/collect-garbage.js';
import { TimeSlicer } from '../automation/time-slicer.js';
import type { Storage } from '../storage/storage.js';
import type { StoredAssetState } from './stored-asset-state.js';

/** What the tracker remembers of each asset's definition, to notice code and dependency changes on reload. */
type KnownAssets = Record<string, { codeVersion: string | null; deps: string[] }>;

const KNOWN_KEY = 'staleness:assets';
/** Rows per multi-row statement: 4 bound values each stays far below SQLite's 32,766 and Postgres' 65,535. */
const BATCH = 500;
/** Seeds per pass when re-evaluating changed assets at load. */
const INIT_CHUNK = 2_000;

/** `undefined` partition ↔ '' (the key unpartitioned assets use in the tables). */
const toKey = (pk: string | undefined): string => pk ?? '';
const fromKey = (k: string): string | undefined => (k === '' ? undefined : k);

/**
 * Keeps the `stale_partitions` index current incrementally: each materialization or observation
 * re-evaluates the changed partition and the downstream partitions that read it through their
 * mappings (and theirs, while statuses change), and a reload with a new code version or changed
 * dependencies re-evaluates that asset's materialized partitions. Nothing rescans the world: work
 * follows what changed. The in-memory copy of the index (asset → partition → causes) serves counts.
 */
export class StalenessTracker {
  readonly #defs: Definitions;
  readonly #state: StoredAssetState;
  readonly #storage: Storage;
  readonly #db;
  readonly #clock: Clock;
  readonly #stale = new Map<string, Map<string, readonly StaleCause[]>>();
  #queue: PartitionUpdate[] = [];
  #flushing: Promise<void> | undefined;
  #onError: (err: unknown) => void;

  constructor(options: {
    defs: Definitions;
    state: StoredAssetState;
    storage: Storage;
    clock: Clock;
    onError?: (err: unknown) => void;
  }) {
    this.#defs = options.defs;
    this.#state = options.state;
    this.#storage = options.storage;
    this.#db = automationDb(options.storage);
    this.#clock = options.clock;
    this.#onError = options.onError ?? (() => {});
  }

  /**
   * Loads the stored index, then re-evaluates the assets whose code version or dependencies changed
   * since the definitions last loaded (every materialized partition on the very first start).
   */
  async initialize(): Promise<void> {
    const rows = await this.#db
      .selectFrom('stale_partitions')
      .select(['asset_key', 'partition_key', 'causes'])
      .execute();
    for (const r of rows) this.#mapOf(r.asset_key).set(r.partition_key, JSON.parse(r.causes));
    const known = (await readStateValue(this.#db, KNOWN_KEY)) as KnownAssets | undefined;
    const now: KnownAssets = {};
    const changed: string[] = [];
    for (const key of this.#defs.graph.keys) {
      const asset = this.#defs.assets.get(key)!;
      const entry = {
        codeVersion: asset.codeVersion ?? null,
        deps: asset.deps.map((d) => d.key).sort(),
      };
      now[key] = entry;
      const before = known?.[key];
      if (
        known === undefined ||
        before === undefined ||
        before.codeVersion !== entry.codeVersion ||
        before.deps.join('\u0000') !== entry.deps.join('\u0000')
      )
        changed.push(key);
    }
    // Assets no longer defined: their rows mean nothing.
    for (const key of this.#stale.keys()) {
      if (!this.#defs.assets.has(key)) {
        this.#stale.delete(key);
        await this.#db.deleteFrom('stale_partitions').where('asset_key', '=', key).execute();
      }
    }
    if (changed.length > 0) {
      // Every partition of a changed asset is a seed: its downstream readers matter only when its
      // status changes (they are seeds themselves otherwise), which saves mapping 1,000,000
      // partitions downstream on a first start. Chunks bound the per-pass bookkeeping (the
      // evaluator's memo, seen set, frontier, pending rows); they are small so that it dies young
      // instead of growing the heap. Seeds go partition key by partition key across the assets
      // (upstream first), so one chunk holds a key's whole upstream cone under the usual
      // mappings and its memo answers the upstream reads: asset by asset, each chunk would
      // re-evaluate every upstream of its partitions.
      // Each chunk's bookkeeping lives across young collections and is promoted: bound that
      // garbage, or the heap peaks at 2.5 times its live size on a first start at 1,000,000.
      const heap = new HeapBudget();
      let seeds: PartitionUpdate[] = [];
      for (const [assetKey, key] of this.#seedOrder(changed)) {
        seeds.push({ assetKey, partitionKey: fromKey(key), dataVersionChanged: false });
        if (seeds.length === INIT_CHUNK) {
          await this.#process(seeds, false);
          seeds = [];
          heap.check();
          // Let the event loop run between chunks (the first pass over 1,000,000 partitions is long).
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
      if (seeds.length > 0) await this.#process(seeds, false);
    }
    await writeStateValue(this.#db, KNOWN_KEY, now);
  }

  /**
   * The materialized partitions of `assets` (in topological order) as [asset, key] pairs, key-major
   * within each group of assets sharing a partitions definition, unless their keys barely overlap
   * (then asset by asset, so the walk stays linear in the partitions).
   */
  *#seedOrder(assets: readonly string[]): Iterable<[string, string]> {
    const groups = new Map<unknown, string[]>();
    for (const key of assets) {
      const def = this.#defs.assets.get(key)!.partitions;
      const group = groups.get(def);
      if (group === undefined) groups.set(def, [key]);
      else group.push(key);
    }
    for (const group of groups.values()) {
      const union = new Set<string>();
      let total = 0;
      for (const a of group) {
        const keys = this.#state.materializedKeys(a);
        total += keys.size;
        for (const k of keys) union.add(k);
      }
      if (union.size * group.length <= 4 * total + 1024) {
        for (const k of union)
          for (const a of group) if (this.#state.materializedKeys(a).has(k)) yield [a, k];
      } else {
        for (const a of group) for (const k of this.#state.materializedKeys(a)) yield [a, k];
      }
    }
  }

  /** Queues a partition update (from a committed event); processed on the next macrotask. */
  enqueue(update: PartitionUpdate): void {
    this.#queue.push(update);
    if (this.#flushing === undefined) {
      this.#flushing = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => this.#drain())
        .catch((err) => this.#onError(err))
        .finally(() => {
          this.#flushing = undefined;
        });
    }
  }

  /**
   * Queues the partitions a wipe cleared: they are missing now (so never stale), and every
   * materialized partition that read them is re-evaluated: its recorded input no longer matches
   * the upstream's (absent) data version, so it turns STALE with a `data` cause, as in Dagster.
   */
  enqueueWipe(assetKey: string, keys: readonly string[]): void {
    for (const k of keys)
      this.enqueue({ assetKey, partitionKey: fromKey(k), dataVersionChanged: true });
  }

  /** Resolves once every queued update is reflected in the index. */
  async idle(): Promise<void> {
    while (this.#flushing !== undefined) await this.#flushing;
  }

  /** The causes of a stale partition, or undefined when it is not stale. */
  causesOf(assetKey: string, partitionKey: string | undefined): readonly StaleCause[] | undefined {
    return this.#stale.get(assetKey)?.get(toKey(partitionKey));
  }

  /** Stale partition keys of an asset ('' for unpartitioned) with their causes. */
  staleOf(assetKey: string): ReadonlyMap<string, readonly StaleCause[]> {
    return this.#stale.get(assetKey) ?? new Map();
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      await this.#process(batch);
    }
  }

  /**
   * Re-evaluates the seeds and, breadth first, the downstream partitions whose status may follow.
   * `forceSeeds`: the seeds' data changed, so their readers are re-evaluated whatever their status.
   */
  async #process(seeds: readonly PartitionUpdate[], forceSeeds = true): Promise<void> {
    const ev = stalenessEvaluator(this.#defs, this.#state, {
      now: this.#clock.now(),
      dynamic: this.#storage,
    });
    const upserts = new Map<
      string,
      { assetKey: string; key: string; causes: readonly StaleCause[] }
    >();
    const deletes = new Map<string, { assetKey: string; key: string }>();
    const seen = new Set<string>();
    // A change of 1% of 1,000,000 partitions re-evaluates ~10,000 of them: let the event loop run
    // every ~20 ms meanwhile (events arriving now queue up for the next pass).
    const slicer = new TimeSlicer(20);
    let frontier: { assetKey: string; partitionKey: string | undefined; force: boolean }[] = seeds
      .filter((s) => this.#defs.assets.has(s.assetKey))
      .map((s) => ({ ...s, force: forceSeeds }));
    while (frontier.length > 0) {
      const next: typeof frontier = [];
      for (const item of frontier) {
        await slicer.maybeYield();
        const id = `${item.assetKey}\u0000${toKey(item.partitionKey)}`;
        if (seen.has(id)) continue;
        seen.add(id);
        const changed = this.#evaluate(ev, item.assetKey, item.partitionKey, upserts, deletes, id);
        // A seed changed its data (downstream read it); anything else matters downstream only when
        // its status changed (an upstream turning STALE makes readers STALE with an upstream cause).
        if (item.force || changed) {
          for (const d of this.#downstreamOf(item.assetKey, item.partitionKey, ev))
            next.push({ ...d, force: false });
        }
      }
      frontier = next;
    }
    await this.#write([...upserts.values()], [...deletes.values()]);
  }

  #evaluate(
    ev: StalenessEvaluator,
    assetKey: string,
    partitionKey: string | undefined,
    upserts: Map<string, { assetKey: string; key: string; causes: readonly StaleCause[] }>,
    deletes: Map<string, { assetKey: string; key: string }>,
    id: string,
  ): boolean {
    const key = toKey(partitionKey);
    const wasStale = this.#stale.get(assetKey)?.has(key) ?? false;
    let causes: readonly StaleCause[] | undefined;
    try {
      const result = ev.upstream({ assetKey, partitionKey });
      causes = result.status === 'STALE' ? result.causes : undefined;
    } catch {
      // A partition the definitions no longer have (a removed static key): not stale, just gone.
      causes = undefined;
    }
    if (causes !== undefined) {
      this.#mapOf(assetKey).set(key, causes);
      upserts.set(id, { assetKey, key, causes });
      deletes.delete(id);
    } else if (wasStale) {
      this.#stale.get(assetKey)?.delete(key);
      deletes.set(id, { assetKey, key });
      upserts.delete(id);
    }
    return wasStale !== (causes !== undefined);
  }

  /** The materialized downstream partitions that read the asset partition (missing ones cannot be stale). */
  *#downstreamOf(
    assetKey: string,
    partitionKey: string | undefined,
    ev: StalenessEvaluator,
  ): Iterable<{ assetKey: string; partitionKey: string | undefined }> {
    const graph = this.#defs.graph;
    const up = this.#defs.assets.get(assetKey)!;
    const children = [...graph.children(assetKey)];
    if (graph.isSelfDependent(assetKey)) children.push(assetKey);
    for (const childKey of children) {
      const child = this.#defs.assets.get(childKey)!;
      const materialized = this.#state.materializedKeys(childKey);
      if (materialized.size === 0) continue;
      for (const k of this.#readers(up, child, partitionKey, ev)) {
        if (materialized.has(k)) yield { assetKey: childKey, partitionKey: fromKey(k) };
      }
    }
  }

  #readers(
    up: AnyAssetDefinition,
    child: AnyAssetDefinition,
    partitionKey: string | undefined,
    ev: StalenessEvaluator,
  ): Iterable<string> {
    if (child.partitions === undefined) return [''];
    // Every partition of a partitioned child reads an unpartitioned upstream.
    if (up.partitions === undefined || partitionKey === undefined)
      return this.#state.materializedKeys(child.key);
    const out = new Set<string>();
    for (const dep of this.#defs.graph.edge(up.key, child.key)?.deps ?? []) {
      try {
        for (const k of dep.mapping.downstreamKeys({
          upstreamKeys: [partitionKey],
          downstream: child.partitions,
          upstream: up.partitions,
          ...ev.ctx,
        }))
          out.add(k);
      } catch {
        // A partition the upstream's definition no longer has maps to nothing downstream.
      }
    }
    return out;
  }

  async #write(
    upserts: readonly { assetKey: string; key: string; causes: readonly StaleCause[] }[],
    deletes: readonly { assetKey: string; key: string }[],
  ): Promise<void> {
    const at = this.#clock.now().toISOString();
    // Single statements, no multi-statement transaction: the event writer shares the SQLite
    // connection and runs its own synchronous transactions between our awaits.
    for (let i = 0; i < upserts.length; i += BATCH) {
      const rows = upserts.slice(i, i + BATCH).map((u) => ({
        asset_key: u.assetKey,
        partition_key: u.key,
        causes: JSON.stringify(u.causes),
        updated_at: at,
      }));
      await this.#db
        .insertInto('stale_partitions')
        .values(rows)
        .onConflict((oc) =>
          oc.columns(['asset_key', 'partition_key']).doUpdateSet((eb) => ({
            causes: eb.ref('excluded.causes'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute();
    }
    const byAsset = new Map<string, string[]>();
    for (const d of deletes) {
      const keys = byAsset.get(d.assetKey) ?? [];
      keys.push(d.key);
      byAsset.set(d.assetKey, keys);
    }
    for (const [assetKey, keys] of byAsset) {
      for (let i = 0; i < keys.length; i += BATCH) {
        await this.#db
          .deleteFrom('stale_partitions')
          .where('asset_key', '=', assetKey)
          .where('partition_key', 'in', keys.slice(i, i + BATCH))
          .execute();
      }
    }
  }

  #mapOf(assetKey: string): Map<string, readonly StaleCause[]> {
    let m = this.#stale.get(assetKey);
    if (m === undefined) {
      m = new Map();
      this.#stale.set(assetKey, m);
    }
    return m;
  }
}
