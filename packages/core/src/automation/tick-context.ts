import type { AnyAssetDefinition } from '../asset-types.js';
import type { Definitions } from '../definitions-types.js';
import type { PartitionsContext } from '../partitions/partitions-definition.js';
import type { PartitionStaleness } from '../versioning/stale-cause.js';
import { type StalenessEvaluator, stalenessEvaluator } from '../versioning/staleness.js';
import { type UpstreamRead, upstreamReads } from '../versioning/upstream-reads.js';
import { AssetSpace, fromPartitionKey, toPartitionKey } from './asset-space.js';
import type {
  AssetAutomationMemory,
  AutomationMemory,
  ConditionNodeMemory,
} from './automation-memory.js';
import type { AutomationStateReader } from './automation-state-reader.js';
import type { PartitionSubset } from './partition-subset.js';

const NO_KEYS: ReadonlySet<string> = new Set();

/** What one tick knows: the clock, the reader, the updates since the previous tick, and what it requested so far. */
export class TickContext {
  readonly ctx: PartitionsContext;
  /** Every update since the previous tick, by asset (internal keys). */
  readonly updated = new Map<string, Set<string>>();
  /** Updates that changed the data version, by asset: what counts as a dependency update. */
  readonly changed = new Map<string, Set<string>>();
  /** What this tick requested so far, by asset (assets are evaluated parents first). */
  readonly requested = new Map<string, PartitionSubset>();
  /** Assets whose data version changed since the previous tick or that this tick requested. */
  private readonly touched = new Set<string>();
  readonly cursor: string;
  private staleness: StalenessEvaluator | undefined;

  constructor(
    readonly defs: Definitions,
    readonly reader: AutomationStateReader,
    readonly now: Date,
    /** The default look-back of `inLatestTimeWindow()`, in ms. */
    readonly lookbackMs: number,
    readonly previous: AutomationMemory | undefined,
  ) {
    const dynamic =
      reader.getDynamicPartitionKeys === undefined
        ? undefined
        : { getDynamicPartitionKeys: (name: string) => reader.getDynamicPartitionKeys!(name) };
    this.ctx = Object.freeze({ now, dynamic });
    const { updates, cursor } = reader.updatesSince(previous?.cursor);
    this.cursor = cursor;
    for (const u of updates) {
      const key = fromPartitionKey(u.partitionKey);
      add(this.updated, u.assetKey, key);
      if (u.dataVersionChanged) {
        add(this.changed, u.assetKey, key);
        this.touched.add(u.assetKey);
      }
    }
  }

  /** Records what the tick requests of an asset (`requested`). */
  request(assetKey: string, subset: PartitionSubset): void {
    this.requested.set(assetKey, subset);
    if (!subset.isEmpty) this.touched.add(assetKey);
  }

  /** True when the asset's data changed since the previous tick or this tick requested it. */
  isTouched(assetKey: string): boolean {
    return this.touched.has(assetKey);
  }

  private readonly cronCache = new Map<string, Date[]>();
  private readonly counts = new Map<object, number>();

  /** How many partitions the asset has at the tick (1 unpartitioned), counted once per definition. */
  partitionCount(asset: AnyAssetDefinition): number {
    const p = asset.partitions;
    if (p === undefined) return 1;
    let n = this.counts.get(p);
    if (n === undefined) {
      n = p.count(this.ctx);
      this.counts.set(p, n);
    }
    return n;
  }

  /** The cron ticks since the previous tick (at most one), computed once per tick per cron. */
  cronTicked(cron: string, timezone: string, compute: () => Date[]): Date[] {
    const id = `${cron}\0${timezone}`;
    let r = this.cronCache.get(id);
    if (r === undefined) {
      r = compute();
      this.cronCache.set(id, r);
    }
    return r;
  }

  /** When the previous tick ran, if there was one. */
  get previousAt(): Date | undefined {
    if (this.previous === undefined) return undefined;
    this.previousDate ??= new Date(this.previous.evaluatedAt);
    return this.previousDate;
  }
  private previousDate: Date | undefined;

  /** Keys of `assetKey` updated since the previous tick. */
  updatedKeys(assetKey: string): ReadonlySet<string> {
    return this.updated.get(assetKey) ?? NO_KEYS;
  }

  /** Keys of `assetKey` whose data version changed since the previous tick. */
  changedKeys(assetKey: string): ReadonlySet<string> {
    return this.changed.get(assetKey) ?? NO_KEYS;
  }

  /** True when the asset partition was materialized or observed. */
  isMaterialized(assetKey: string, key: string): boolean {
    const pk = toPartitionKey(key);
    if (this.reader.isMaterializedOrObserved !== undefined)
      return this.reader.isMaterializedOrObserved(assetKey, pk);
    return (
      this.reader.currentDataVersion(assetKey, pk) !== undefined ||
      this.reader.latestMaterialization(assetKey, pk) !== undefined
    );
  }

  /** True when this tick already requested the asset partition. */
  willBeRequested(assetKey: string, key: string): boolean {
    return this.requested.get(assetKey)?.has(key) ?? false;
  }

  /** The staleness of an asset partition, shared across the tick. */
  stalenessOf(assetKey: string, key: string): PartitionStaleness {
    this.staleness ??= stalenessEvaluator(this.defs, this.reader, this.ctx);
    return this.staleness.upstream({ assetKey, partitionKey: toPartitionKey(key) });
  }
}

/** One asset's evaluation within a tick: its partitions, its memory, and caches of its reads. */
export class AssetEvaluationContext {
  readonly space: AssetSpace;
  /** Memory written by this tick's node evaluations, by node path. */
  readonly nextNodes: Record<string, ConditionNodeMemory> = {};
  private readCache: Map<string, UpstreamRead[]> | undefined;

  constructor(
    readonly tick: TickContext,
    readonly asset: AnyAssetDefinition,
    /** This asset's memory from the previous tick, if any. */
    readonly memory: AssetAutomationMemory | undefined,
  ) {
    this.space = new AssetSpace(asset, tick.ctx, tick.partitionCount(asset));
  }

  /** The upstream partitions `key` reads, per dependency, excluding the asset itself (self-dependencies never gate automation). */
  reads(key: string): UpstreamRead[] {
    this.readCache ??= new Map();
    let r = this.readCache.get(key);
    if (r === undefined) {
      r = upstreamReads(this.tick.defs, this.asset, toPartitionKey(key), this.tick.ctx).filter(
        (read) => read.assetKey !== this.asset.key,
      );
      this.readCache.set(key, r);
    }
    return r;
  }

  /** The memory the previous tick left for the node at `path`, when it was the same operator. */
  nodeMemory(path: string, type: string): ConditionNodeMemory | undefined {
    const m = this.memory?.nodes?.[path];
    return m?.type === type ? m : undefined;
  }
}

function add(map: Map<string, Set<string>>, assetKey: string, key: string): void {
  let set = map.get(assetKey);
  if (set === undefined) {
    set = new Set();
    map.set(assetKey, set);
  }
  set.add(key);
}
