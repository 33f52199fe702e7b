import type { VersionedMaterialization } from '@cairn/core';
import type { StoredMaterializationEvent } from '../storage/index.js';

/** The set-like view of an asset's materialized partition keys ('' for an unpartitioned asset). */
export interface PartitionKeySet extends Iterable<string> {
  readonly size: number;
  has(key: string): boolean;
}

/**
 * A held latest materialization. It carries `source` so that the same object also serves as the
 * partition's `CurrentDataVersion` (no second object per partition when, as almost always, the
 * current data version is the latest materialization's).
 */
export type StoredMaterialization = VersionedMaterialization & {
  readonly source: 'materialization';
};

const EMPTY_METADATA: VersionedMaterialization['metadata'] = Object.freeze({});
const EMPTY_INPUTS: Readonly<Record<string, string>> = Object.freeze({});
const NO_KEYS: readonly string[] = Object.freeze([]);
const NO_PARTITIONS: PartitionKeySet = {
  size: 0,
  has: () => false,
  [Symbol.iterator]: () => [][Symbol.iterator](),
};

/** `Map#keys()` as a `PartitionKeySet` (no copy). */
class KeysView implements PartitionKeySet {
  readonly #map: ReadonlyMap<string, unknown>;
  constructor(map: ReadonlyMap<string, unknown>) {
    this.#map = map;
  }
  get size(): number {
    return this.#map.size;
  }
  has(key: string): boolean {
    return this.#map.has(key);
  }
  [Symbol.iterator](): Iterator<string> {
    return this.#map.keys();
  }
}

/**
 * The latest materialization of every asset partition, held compactly: nested maps (asset key →
 * partition key → record) instead of one `asset[partition]` ref string per partition and map, and
 * the strings every record repeats (asset key, partition key, code version, run id, dependency
 * list, empty metadata) shared instead of one copy per parsed event. At 1,000,000 partitions this
 * is the bulk of the daemon's resident size.
 */
export class LatestMaterializations {
  readonly #byAsset = new Map<string, Map<string, StoredMaterialization>>();
  /** Asset keys, partition keys and code versions: few distinct values, repeated per partition. */
  readonly #strings = new Map<string, string>();
  readonly #depLists = new Map<string, readonly string[]>();
  /** Consecutive events mostly come from one run: sharing the last run id is enough (and bounded). */
  #lastRunId = '';
  #size = 0;

  /** How many asset partitions have a materialization. */
  get size(): number {
    return this.#size;
  }

  /** The record of one partition ('' for unpartitioned). */
  get(assetKey: string, key: string): StoredMaterialization | undefined {
    return this.#byAsset.get(assetKey)?.get(key);
  }

  /** Keys of the asset's materialized partitions. */
  keys(assetKey: string): PartitionKeySet {
    const map = this.#byAsset.get(assetKey);
    return map === undefined ? NO_PARTITIONS : new KeysView(map);
  }

  /** Holds `m` as its partition's latest materialization. */
  set(m: StoredMaterialization): void {
    let map = this.#byAsset.get(m.assetKey);
    if (map === undefined) {
      map = new Map();
      this.#byAsset.set(m.assetKey, map);
    }
    const key = m.partitionKey ?? '';
    if (!map.has(key)) this.#size++;
    map.set(key, m);
  }

  /** Forgets one partition, or every partition of the asset when `key` is undefined. */
  delete(assetKey: string, key?: string): void {
    const map = this.#byAsset.get(assetKey);
    if (map === undefined) return;
    if (key === undefined) {
      this.#size -= map.size;
      this.#byAsset.delete(assetKey);
    } else if (map.delete(key)) this.#size--;
  }

  /** A stored materialization event as the compact versioned record staleness compares. */
  compact(e: StoredMaterializationEvent): StoredMaterialization {
    let runId = e.runId ?? '';
    if (runId === this.#lastRunId) runId = this.#lastRunId;
    else this.#lastRunId = runId;
    const metadata = e.metadata;
    return {
      assetKey: this.#intern(e.assetKey),
      partitionKey: e.partitionKey === undefined ? undefined : this.#intern(e.partitionKey),
      timestamp: new Date(e.timestamp),
      metadata:
        metadata === undefined || Object.keys(metadata).length === 0
          ? EMPTY_METADATA
          : (metadata as VersionedMaterialization['metadata']),
      dataVersion: e.dataVersion ?? '',
      codeVersion: e.codeVersion === undefined ? undefined : this.#intern(e.codeVersion),
      runId,
      inputDataVersions: e.inputDataVersions ?? EMPTY_INPUTS,
      depKeys: this.#deps(e.depKeys),
      source: 'materialization',
    };
  }

  #intern(s: string): string {
    const known = this.#strings.get(s);
    if (known !== undefined) return known;
    this.#strings.set(s, s);
    return s;
  }

  #deps(keys: readonly string[] | undefined): readonly string[] {
    if (keys === undefined || keys.length === 0) return NO_KEYS;
    const id = keys.join('\u0000');
    const known = this.#depLists.get(id);
    if (known !== undefined) return known;
    const list = Object.freeze(keys.map((k) => this.#intern(k)));
    this.#depLists.set(id, list);
    return list;
  }
}
