import {
  type Clock,
  type Definitions,
  explainStaleness,
  type StaleCause,
  type StalenessReader,
  type VersionedMaterialization,
} from '@cairn/core';
import { automationDb } from '../automation/automation-tables.js';
import { DaemonError } from '../errors.js';
import type { StoredMaterializationEvent } from '../storage/index.js';
import type { Storage } from '../storage/storage.js';
import type { StalenessTracker } from './staleness-tracker.js';
import type { StoredAssetState } from './stored-asset-state.js';
import { toVersioned } from './to-versioned.js';

/** A partition's staleness as the daemon reports it. */
export type DaemonStaleStatus = 'fresh' | 'stale' | 'missing' | 'failed';

/** Counts of an asset's partitions by staleness. */
export interface StalenessSummary {
  fresh: number;
  stale: number;
  missing: number;
  failed: number;
}

/** One partition in `partitions()`. */
export interface PartitionStalenessRow {
  /** `null` for an unpartitioned asset. */
  partitionKey: string | null;
  status: DaemonStaleStatus;
  /** Core's causes (empty unless stale). */
  causes: readonly StaleCause[];
}

/** The explanation of one partition. */
export interface StalenessExplanationResult {
  status: DaemonStaleStatus;
  causes: readonly StaleCause[];
  /** The explanation back to the root causes, as text. */
  text: string;
  /** One sentence per root cause. */
  chains: readonly string[];
}

/** How many history rounds `explain` fetches: one per level of "because" it may need to reach. */
const MAX_HISTORY_ROUNDS = 8;

/**
 * `daemon.staleness`: per-asset counts, paged partition lists and explanations, read from the
 * incrementally maintained stale index and the in-memory state (older materializations for the
 * "because its code version changed from 3 to 4" links are fetched from the event log on demand).
 */
export class StalenessService {
  readonly #defs: Definitions;
  readonly #state: StoredAssetState;
  readonly #tracker: StalenessTracker;
  readonly #storage: Storage;
  readonly #clock: Clock;

  constructor(options: {
    defs: Definitions;
    state: StoredAssetState;
    tracker: StalenessTracker;
    storage: Storage;
    clock: Clock;
  }) {
    this.#defs = options.defs;
    this.#state = options.state;
    this.#tracker = options.tracker;
    this.#storage = options.storage;
    this.#clock = options.clock;
  }

  /** Counts of the asset's partitions: fresh, stale, missing, failed (failed and never materialized). */
  async summary(assetKey: string): Promise<StalenessSummary> {
    const asset = this.#asset(assetKey);
    await this.#tracker.idle();
    const materialized = this.#state.materializedKeys(asset.key).size;
    const stale = this.#tracker.staleOf(asset.key).size;
    const total =
      asset.partitions === undefined
        ? 1
        : asset.partitions.count({ now: this.#clock.now(), dynamic: this.#storage });
    let failed = 0;
    for (const k of this.#keys(asset.key)) {
      if (this.#status(asset.key, k) === 'failed') failed++;
    }
    return {
      fresh: materialized - stale,
      stale,
      missing: Math.max(0, total - materialized - failed),
      failed,
    };
  }

  /**
   * Stale partition counts of every asset that has any, in ONE grouped query over the
   * `stale_partitions` index (after pending updates are applied): what list pages need, without
   * `summary()`'s per-asset walk over partition keys (~0.3 ms per asset).
   */
  async staleCounts(): Promise<Map<string, number>> {
    await this.#tracker.idle();
    const rows = await automationDb(this.#storage)
      .selectFrom('stale_partitions')
      .select((eb) => ['asset_key', eb.fn.countAll<number | string | bigint>().as('n')])
      .groupBy('asset_key')
      .execute();
    return new Map(rows.map((r) => [r.asset_key, Number(r.n)]));
  }

  /**
   * A page of the asset's partitions in definition order, optionally only those with `status`;
   * `after` is the last partition key of the previous page (`nextCursor`).
   */
  async partitions(
    assetKey: string,
    options: { status?: DaemonStaleStatus | string; limit?: number; after?: string | number } = {},
  ): Promise<{ partitions: PartitionStalenessRow[]; nextCursor: string | null }> {
    const asset = this.#asset(assetKey);
    await this.#tracker.idle();
    const limit = options.limit ?? 100;
    const out: PartitionStalenessRow[] = [];
    const after = options.after === undefined ? undefined : String(options.after);
    let started = after === undefined;
    let nextCursor: string | null = null;
    const keys: Iterable<string> =
      options.status === 'stale'
        ? [...this.#tracker.staleOf(asset.key).keys()].sort()
        : this.#keys(asset.key);
    for (const k of keys) {
      if (!started) {
        started = k === after;
        continue;
      }
      const status = this.#status(asset.key, k);
      if (options.status !== undefined && status !== options.status) continue;
      if (out.length === limit) {
        nextCursor = out[out.length - 1]!.partitionKey ?? null;
        break;
      }
      out.push({
        partitionKey: k === '' ? null : k,
        status,
        causes: this.#tracker.causesOf(asset.key, k === '' ? undefined : k) ?? [],
      });
    }
    return { partitions: out, nextCursor };
  }

  /** Explains one partition's staleness back to its root causes. */
  async explain(
    assetKey: string,
    partitionKey: string | undefined,
  ): Promise<StalenessExplanationResult> {
    const asset = this.#asset(assetKey);
    const now = this.#clock.now();
    if (asset.partitions !== undefined) {
      if (
        partitionKey === undefined ||
        !asset.partitions.has(partitionKey, { now, dynamic: this.#storage })
      ) {
        throw new DaemonError(
          'CAIRN_UNKNOWN_PARTITION',
          `Asset "${asset.key}" has no partition ${JSON.stringify(partitionKey)}; pass one of its partition keys.`,
          { asset: asset.key, partition: partitionKey },
        );
      }
    }
    await this.#tracker.idle();
    for (let round = 0; ; round++) {
      const misses: { assetKey: string; partitionKey: string | undefined; dataVersion: string }[] =
        [];
      const reader: StalenessReader = {
        latestMaterialization: (a, p) => this.#state.latestMaterialization(a, p),
        currentDataVersion: (a, p) => this.#state.currentDataVersion(a, p),
        materializationWithDataVersion: (a, p, v) => {
          const m = this.#state.materializationWithDataVersion(a, p, v);
          if (m === undefined) misses.push({ assetKey: a, partitionKey: p, dataVersion: v });
          return m;
        },
      };
      const e = explainStaleness(this.#defs, asset.key, partitionKey, reader, {
        now,
        dynamic: this.#storage,
      });
      let found = 0;
      if (round < MAX_HISTORY_ROUNDS) {
        for (const miss of misses) {
          const m = await this.#findInHistory(miss.assetKey, miss.partitionKey, miss.dataVersion);
          if (m !== undefined) {
            this.#state.remember(m);
            found++;
          }
        }
      }
      if (found === 0) {
        const key = partitionKey ?? '';
        const status =
          e.status === 'STALE'
            ? 'stale'
            : e.status === 'FRESH'
              ? 'fresh'
              : this.#status(asset.key, key);
        const causes = e.steps.map((s) => s.reason as StaleCause);
        return { status, causes, text: e.text, chains: e.chains };
      }
    }
  }

  async #findInHistory(
    assetKey: string,
    partitionKey: string | undefined,
    dataVersion: string,
  ): Promise<VersionedMaterialization | undefined> {
    let beforeId: number | undefined;
    // Newest first, in pages; history that old is rare, so at most 10 pages of 200 are read.
    for (let page = 0; page < 10; page++) {
      const result = await this.#storage.getMaterializationHistory(assetKey, {
        ...(partitionKey === undefined ? {} : { partitionKey }),
        ...(beforeId === undefined ? {} : { beforeId }),
        limit: 200,
      });
      for (const r of result.records) {
        const e = r.event as StoredMaterializationEvent;
        if (e.dataVersion === dataVersion) return toVersioned(e);
      }
      if (result.nextCursor === undefined) return undefined;
      beforeId = result.nextCursor;
    }
    return undefined;
  }

  #status(assetKey: string, key: string): DaemonStaleStatus {
    const pk = key === '' ? undefined : key;
    if (this.#tracker.causesOf(assetKey, pk) !== undefined) return 'stale';
    if (this.#state.materializedKeys(assetKey).has(key)) return 'fresh';
    return this.#state.isFailed(assetKey, pk) ? 'failed' : 'missing';
  }

  #keys(assetKey: string): Iterable<string> {
    const asset = this.#defs.assets.get(assetKey)!;
    if (asset.partitions === undefined) return [''];
    return asset.partitions.keys({ now: this.#clock.now(), dynamic: this.#storage });
  }

  #asset(assetKey: string) {
    const asset = this.#defs.assets.get(assetKey);
    if (asset === undefined) {
      throw new DaemonError(
        'CAIRN_UNKNOWN_ASSET',
        `No asset "${assetKey}" in the loaded definitions; check the key (segments joined by "/").`,
        { asset: assetKey },
      );
    }
    return asset;
  }
}
