import { type CurrentDataVersion, parseInputRef, type VersionedMaterialization } from '@cairn/core';
import type { StoredMaterializationEvent } from '../storage/index.js';

/** The set-like view of an asset's materialized partition keys ('' for an unpartitioned asset). */
export interface PartitionKeySet extends Iterable<string> {
  readonly size: number;
  has(key: string): boolean;
}

const EMPTY_METADATA: VersionedMaterialization['metadata'] = Object.freeze({});
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
 * Where one recorded input lives, relative to the partition that read it: `SAME` when the upstream
 * partition key is the reader's own (identity mappings, by far the most common), `undefined` for
 * an unpartitioned upstream, or the literal key. Relative refs make one shape serve every
 * partition of an asset, so a partition holds only its input versions, not its input refs.
 */
const SAME = 0;
type ShapeRef = { assetKey: string; key: typeof SAME | string | undefined };
type Shape = readonly ShapeRef[];

/** Distinct values (code versions, dependency lists, input shapes) numbered once, referenced by id. */
class Atoms<T> {
  readonly #ids = new Map<string, number>();
  readonly values: T[] = [];
  id(key: string, make: () => T): number {
    let id = this.#ids.get(key);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(make());
      this.#ids.set(key, id);
    }
    return id;
  }
}

/**
 * Shares equal strings that repeat (data versions like `v1`, run ids of one run) without growing
 * with the unique ones (hash data versions): the table is dropped whenever it reaches its bound,
 * so it costs at most `LIMIT` entries while still catching values that repeat close together.
 */
class RecentStrings {
  static readonly LIMIT = 16_384;
  #map = new Map<string, string>();
  intern(s: string): string {
    const known = this.#map.get(s);
    if (known !== undefined) return known;
    if (this.#map.size >= RecentStrings.LIMIT) this.#map = new Map();
    this.#map.set(s, s);
    return s;
  }
}

/**
 * One asset's latest materializations as columns indexed by a slot per partition: a slot map
 * (key → slot, in insertion order) plus typed arrays and plain arrays of shared strings, instead
 * of one object (with its own Date, inputs record and ref strings) per partition.
 */
class AssetColumns {
  readonly slots = new Map<string, number>();
  readonly #free: number[] = [];
  #capacity = 0;
  timestamps = new Float64Array(0);
  codes = new Uint32Array(0);
  deps = new Uint32Array(0);
  shapes = new Uint32Array(0);
  versions: string[] = [];
  runs: string[] = [];
  /** Input data versions, `stride` per slot, in the order of the slot's shape. */
  inputs: (string | undefined)[] = [];
  stride = 0;
  /** Only partitions whose latest materialization has metadata (most have none). */
  metadata: Map<number, VersionedMaterialization['metadata']> | undefined;

  /** Sized for `capacity` partitions up front: growing by copies leaves garbage the size of the asset. */
  constructor(capacity = 0) {
    if (capacity > 0) this.#grow(capacity);
  }

  /** The slot of `key`, allocating one for a new partition. */
  slotFor(key: string): { slot: number; added: boolean } {
    const known = this.slots.get(key);
    if (known !== undefined) return { slot: known, added: false };
    const slot = this.#free.pop() ?? this.slots.size;
    if (slot >= this.#capacity) this.#grow(Math.max(8, Math.ceil(this.#capacity * 1.5)));
    this.slots.set(key, slot);
    return { slot, added: true };
  }

  release(key: string): boolean {
    const slot = this.slots.get(key);
    if (slot === undefined) return false;
    this.slots.delete(key);
    this.metadata?.delete(slot);
    this.versions[slot] = '';
    this.runs[slot] = '';
    for (let i = 0; i < this.stride; i++) this.inputs[slot * this.stride + i] = undefined;
    this.#free.push(slot);
    return true;
  }

  /** Widens every slot's input versions to `stride` (a partition that read more inputs). */
  restride(stride: number): void {
    const old = this.stride;
    const next: (string | undefined)[] = new Array(this.#capacity * stride);
    for (let s = 0; s < this.#capacity; s++)
      for (let i = 0; i < old; i++) next[s * stride + i] = this.inputs[s * old + i];
    this.inputs = next;
    this.stride = stride;
  }

  #grow(capacity: number): void {
    // Plain arrays preallocated only while V8 keeps them fast (large `new Array(n)` is a dictionary).
    if (this.#capacity === 0 && capacity <= 16_384) {
      this.versions = new Array(capacity);
      this.runs = new Array(capacity);
    }
    const f64 = new Float64Array(capacity);
    f64.set(this.timestamps);
    this.timestamps = f64;
    for (const name of ['codes', 'deps', 'shapes'] as const) {
      const u32 = new Uint32Array(capacity);
      u32.set(this[name]);
      this[name] = u32;
    }
    this.#capacity = capacity;
  }
}

/**
 * The latest materialization of every asset partition, held compactly: per asset, columns
 * indexed by partition slot (timestamp in a Float64Array, code version / dependency list / input
 * shape as ids of shared values, data versions and run ids as shared strings, input data versions
 * as a flat array of strings shared with the upstream's own data version). At 1,000,000
 * partitions this is the bulk of the daemon's resident size: about 90 bytes a partition instead of
 * ~1.5 KB of objects. Records are rebuilt on read (`get`), which staleness does once per partition
 * it evaluates.
 */
export class LatestMaterializations {
  readonly #byAsset = new Map<string, AssetColumns>();
  /** Asset keys and partition keys: few distinct values, repeated per partition. */
  readonly #keys = new Map<string, string>();
  readonly #codes = new Atoms<string | undefined>();
  readonly #depLists = new Atoms<readonly string[]>();
  readonly #shapes = new Atoms<Shape>();
  readonly #recent = new RecentStrings();
  #size = 0;

  /** How many asset partitions have a materialization. */
  get size(): number {
    return this.#size;
  }

  /** True when the partition has a materialization. */
  has(assetKey: string, key: string): boolean {
    return this.#byAsset.get(assetKey)?.slots.has(key) ?? false;
  }

  /** Epoch ms of the partition's latest materialization. */
  timestamp(assetKey: string, key: string): number | undefined {
    const cols = this.#byAsset.get(assetKey);
    const slot = cols?.slots.get(key);
    return slot === undefined ? undefined : cols!.timestamps[slot];
  }

  /** The data version of the partition's latest materialization. */
  dataVersion(assetKey: string, key: string): string | undefined {
    const cols = this.#byAsset.get(assetKey);
    const slot = cols?.slots.get(key);
    return slot === undefined ? undefined : cols!.versions[slot];
  }

  /** The partition's latest materialization as its current data version. */
  current(assetKey: string, key: string): CurrentDataVersion | undefined {
    const cols = this.#byAsset.get(assetKey);
    const slot = cols?.slots.get(key);
    if (slot === undefined) return undefined;
    return {
      dataVersion: cols!.versions[slot]!,
      timestamp: new Date(cols!.timestamps[slot]!),
      source: 'materialization',
    };
  }

  /** The record of one partition ('' for unpartitioned), rebuilt from the columns. */
  get(assetKey: string, key: string): VersionedMaterialization | undefined {
    const cols = this.#byAsset.get(assetKey);
    const slot = cols?.slots.get(key);
    if (cols === undefined || slot === undefined) return undefined;
    const shape = this.#shapes.values[cols.shapes[slot]!]!;
    // A null-prototype object is a dictionary from the start: keys unique to this partition add
    // no hidden classes (which V8 allocates in the old space, where they would pile up as garbage).
    const inputs = Object.create(null) as Record<string, string>;
    for (let i = 0; i < shape.length; i++) {
      const r = shape[i]!;
      const ref =
        r.key === undefined
          ? r.assetKey
          : `${r.assetKey}[${r.key === SAME ? key : (r.key as string)}]`;
      inputs[ref] = cols.inputs[slot * cols.stride + i]!;
    }
    const codeVersion = this.#codes.values[cols.codes[slot]!];
    return {
      assetKey,
      partitionKey: key === '' ? undefined : key,
      timestamp: new Date(cols.timestamps[slot]!),
      metadata: cols.metadata?.get(slot) ?? EMPTY_METADATA,
      dataVersion: cols.versions[slot]!,
      codeVersion,
      runId: cols.runs[slot]!,
      inputDataVersions: inputs,
      depKeys: this.#depLists.values[cols.deps[slot]!]!,
    };
  }

  /** Keys of the asset's materialized partitions. */
  keys(assetKey: string): PartitionKeySet {
    const cols = this.#byAsset.get(assetKey);
    return cols === undefined ? NO_PARTITIONS : new KeysView(cols.slots);
  }

  /** Sizes the asset's columns for `count` partitions before a load (no effect once it has any). */
  reserve(assetKey: string, count: number): void {
    if (!this.#byAsset.has(assetKey))
      this.#byAsset.set(this.#key(assetKey), new AssetColumns(count));
  }

  /**
   * Holds a stored materialization payload (the event's JSON) as its partition's latest
   * materialization. The input versions are read as pairs, not parsed into an object: each
   * partition's inputs object has its own key set, and V8 gives each new key set hidden classes
   * allocated straight in the old space, which at 1,000,000 partitions grew the heap by ~400 MB of
   * garbage during a load.
   */
  setFromPayload(payload: string): void {
    const span = topLevelObjectSpan(payload, 'inputDataVersions');
    if (span === undefined) {
      this.set(JSON.parse(payload) as StoredMaterializationEvent);
      return;
    }
    const e = JSON.parse(
      `${payload.slice(0, span.start)}null${payload.slice(span.end)}`,
    ) as StoredMaterializationEvent;
    this.set(e, stringPairs(payload, span.start, span.end));
  }

  /** Holds the stored materialization event `e` as its partition's latest materialization. */
  set(e: StoredMaterializationEvent, inputPairs?: readonly string[]): void {
    const assetKey = this.#key(e.assetKey);
    let cols = this.#byAsset.get(assetKey);
    if (cols === undefined) {
      cols = new AssetColumns();
      this.#byAsset.set(assetKey, cols);
    }
    const key = e.partitionKey === undefined ? '' : this.#key(e.partitionKey);
    const { slot, added } = cols.slotFor(key);
    if (added) this.#size++;
    cols.timestamps[slot] = Date.parse(e.timestamp);
    cols.versions[slot] = this.#recent.intern(e.dataVersion ?? '');
    cols.runs[slot] = this.#recent.intern(e.runId ?? '');
    const cv = e.codeVersion;
    cols.codes[slot] = this.#codes.id(cv === undefined ? '' : `=${cv}`, () =>
      cv === undefined ? undefined : this.#key(cv),
    );
    const depKeys = e.depKeys ?? NO_KEYS;
    cols.deps[slot] = this.#depLists.id(depKeys.join('\u0000'), () =>
      depKeys.length === 0 ? NO_KEYS : Object.freeze(depKeys.map((k) => this.#key(k))),
    );
    const metadata = e.metadata;
    if (metadata !== undefined && Object.keys(metadata).length > 0) {
      cols.metadata ??= new Map();
      cols.metadata.set(slot, metadata as VersionedMaterialization['metadata']);
    } else cols.metadata?.delete(slot);
    // Inputs: a shared shape (relative refs) plus the versions, each shared with the upstream's
    // own data version string when it is still the upstream's current one.
    // Input ref, version, input ref, version...
    let pairs = inputPairs;
    if (pairs === undefined) {
      const flat: string[] = [];
      for (const [ref, v] of Object.entries(e.inputDataVersions ?? {})) flat.push(ref, v);
      pairs = flat;
    }
    const count = pairs.length / 2;
    const parsed: ShapeRef[] = [];
    let shapeKey = '';
    for (let i = 0; i < count; i++) {
      const ref = pairs[2 * i]!;
      const p = parseInputRef(ref);
      const rel =
        p.partitionKey === undefined ? undefined : p.partitionKey === key ? SAME : p.partitionKey;
      parsed.push({ assetKey: p.assetKey, key: rel });
      shapeKey += `${p.assetKey}\u0000${rel === undefined ? '\u0001' : rel === SAME ? '\u0002' : rel}\u0000`;
    }
    cols.shapes[slot] = this.#shapes.id(shapeKey, () =>
      Object.freeze(
        parsed.map((r) => ({
          assetKey: this.#key(r.assetKey),
          key: typeof r.key === 'string' ? this.#key(r.key) : r.key,
        })),
      ),
    );
    if (count > cols.stride) cols.restride(count);
    const base = slot * cols.stride;
    for (let i = 0; i < cols.stride; i++) {
      if (i >= count) {
        cols.inputs[base + i] = undefined;
        continue;
      }
      const v = pairs[2 * i + 1]!;
      const p = parsed[i]!;
      const upKey = p.key === undefined ? '' : p.key === SAME ? key : (p.key as string);
      const upstream = this.dataVersion(p.assetKey, upKey);
      cols.inputs[base + i] = upstream === v ? upstream : this.#recent.intern(v);
    }
  }

  /** Forgets one partition, or every partition of the asset when `key` is undefined. */
  delete(assetKey: string, key?: string): void {
    const cols = this.#byAsset.get(assetKey);
    if (cols === undefined) return;
    if (key === undefined) {
      this.#size -= cols.slots.size;
      this.#byAsset.delete(assetKey);
    } else if (cols.release(key)) this.#size--;
  }

  #key(s: string): string {
    const known = this.#keys.get(s);
    if (known !== undefined) return known;
    // A copy, in case `s` is a slice of a payload (held for good, it would keep the payload).
    const own = JSON.parse(JSON.stringify(s)) as string;
    this.#keys.set(own, own);
    return own;
  }
}

/**
 * The span [start, end) of the value of `key` in the top-level object of the JSON text `json`,
 * when that value is an object; undefined otherwise. Scans strings with their escapes, so keys or
 * values that contain braces or quotes are handled.
 */
export function topLevelObjectSpan(
  json: string,
  key: string,
): { start: number; end: number } | undefined {
  const quoted = JSON.stringify(key);
  let depth = 0;
  let valueStart = -1;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === 34 /* " */) {
      const end = stringEnd(json, i);
      if (
        depth === 1 &&
        valueStart < 0 &&
        end - i + 1 === quoted.length &&
        json.startsWith(quoted, i)
      ) {
        let j = end + 1;
        while (isSpace(json.charCodeAt(j))) j++;
        if (json.charCodeAt(j) === 58 /* : */) {
          j++;
          while (isSpace(json.charCodeAt(j))) j++;
          if (json.charCodeAt(j) !== 123 /* { */) return undefined;
          valueStart = j;
          i = j;
          depth++;
          continue;
        }
      }
      i = end;
    } else if (c === 123 || c === 91 /* { [ */) depth++;
    else if (c === 125 || c === 93 /* } ] */) {
      depth--;
      if (valueStart >= 0 && depth === 1) return { start: valueStart, end: i + 1 };
    }
  }
  return undefined;
}

/** The strings of a flat JSON object of strings (`{"a":"x","b":"y"}` → a, x, b, y) in [start, end). */
function stringPairs(json: string, start: number, end: number): string[] {
  const out: string[] = [];
  for (let i = start; i < end; i++) {
    const c = json.charCodeAt(i);
    if (c === 34) {
      const e = stringEnd(json, i);
      // Parsed, not sliced: a slice would keep the whole payload alive for as long as it is held.
      out.push(JSON.parse(json.slice(i, e + 1)) as string);
      i = e;
    } else if (c === 123 && i !== start) {
      // A nested value (never written by Cairn): fall back to the exact parse.
      return flatten(JSON.parse(json.slice(start, end)) as Record<string, unknown>);
    }
  }
  return out.length % 2 === 0
    ? out
    : flatten(JSON.parse(json.slice(start, end)) as Record<string, unknown>);
}

function flatten(o: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(o)) out.push(k, String(v));
  return out;
}

/** The index of the quote that closes the JSON string opening at `open`. */
function stringEnd(json: string, open: number): number {
  for (let i = open + 1; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === 92 /* \\ */) i++;
    else if (c === 34) return i;
  }
  return json.length;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}
