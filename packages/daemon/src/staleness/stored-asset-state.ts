import {
  type AutomationStateReader,
  type CheckResultRecord,
  type CurrentDataVersion,
  inputRef,
  type PartitionUpdate,
  type VersionedMaterialization,
} from '@cairn/core';
import { HeapBudget } from '../automation/collect-garbage.js';
import type { EventRecord, StoredEvent, StoredMaterializationEvent } from '../storage/index.js';
import type { Storage } from '../storage/storage.js';
import { LatestMaterializations, type PartitionKeySet } from './latest-materializations.js';
import { plannedRefs, toVersioned } from './to-versioned.js';

/** One update the state saw, with the event id it came from (the cursor of `updatesSince`). */
interface LoggedUpdate {
  id: number;
  update: PartitionUpdate;
}

/** Rows per page when loading the latest materializations (bounds the payloads held at once). */
const LOAD_PAGE = 1_000;

/**
 * The daemon's in-memory view of what staleness and automation read, loaded once from the
 * storage indexes and then kept current from committed events (`apply`), so core's synchronous
 * `StalenessReader` / `AutomationStateReader` reads cost a map lookup and a tick costs what
 * changed. Only the latest materialization per partition is held; older ones (for explanations)
 * are fetched from the event log on demand by `StalenessService`.
 */
export class StoredAssetState implements AutomationStateReader {
  /** Asset key → partition key ('' for unpartitioned) → latest materialization. */
  readonly #latest = new LatestMaterializations();
  /**
   * Ref → current data version, only where it is not the latest materialization's (observations of
   * external assets, a materialization older than the latest): empty for most deployments.
   */
  readonly #current = new Map<string, CurrentDataVersion>();
  readonly #inProgress = new Map<string, number>();
  readonly #runRefs = new Map<string, string[]>();
  readonly #failed = new Set<string>();
  /** Ref → check name → the latest result on the partition's latest materialization. */
  readonly #checks = new Map<string, Map<string, CheckResultRecord>>();
  /** Older materializations fetched for explanations: ref → data version → record. */
  readonly #history = new Map<string, Map<string, VersionedMaterialization>>();
  #updates: LoggedUpdate[] = [];
  #lastId = 0;
  readonly #storage: Storage;

  private constructor(storage: Storage) {
    this.#storage = storage;
  }

  /**
   * Loads the latest materializations, observations, failures, queued runs and check results.
   * `assetOrder` (the definitions' topological order) loads upstream assets first, so a
   * downstream partition's recorded input versions share the upstream's data version strings.
   */
  static async load(
    storage: Storage,
    options: { assetOrder?: readonly string[] } = {},
  ): Promise<StoredAssetState> {
    const state = new StoredAssetState(storage);
    const db = storage.db;
    state.#lastId = await storage.getLastEventId();
    const counts = await db
      .selectFrom('asset_partitions')
      .select((eb) => ['asset_key', eb.fn.countAll<number | string | bigint>().as('n')])
      .where('last_materialization_event_id', 'is not', null)
      .groupBy('asset_key')
      .execute();
    const stored = counts.map((r) => r.asset_key);
    for (const r of counts) state.#latest.reserve(r.asset_key, Number(r.n));
    // Each page's rows and payload strings outlive a young collection or two: bound what they
    // leave in the old generation, or 1,000,000 partitions peak at twice their live size.
    const heap = new HeapBudget();
    const rank = new Map((options.assetOrder ?? []).map((k, i) => [k, i]));
    stored.sort(
      (a, b) =>
        (rank.get(a) ?? rank.size) - (rank.get(b) ?? rank.size) || (a < b ? -1 : a > b ? 1 : 0),
    );
    for (const assetKey of stored) {
      // Paged by the primary key, so only one page of payloads is held at once (1,000,000
      // partitions would otherwise hold every payload string before the first is parsed).
      let after: string | undefined;
      for (;;) {
        const cursor = after;
        const page = await db
          .selectFrom('asset_partitions as ap')
          .innerJoin('event_log as e', 'e.id', 'ap.last_materialization_event_id')
          .select(['ap.partition_key', 'e.payload'])
          .where('ap.asset_key', '=', assetKey)
          .$if(cursor !== undefined, (q) => q.where('ap.partition_key', '>', cursor!))
          .orderBy('ap.partition_key')
          .limit(LOAD_PAGE)
          .execute();
        for (const row of page) state.#latest.setFromPayload(row.payload);
        heap.check();
        const last = page[page.length - 1];
        if (last === undefined || page.length < LOAD_PAGE) break;
        after = last.partition_key;
      }
    }
    const obs = await db
      .selectFrom('asset_partitions as ap')
      .innerJoin('event_log as e', 'e.id', 'ap.last_observation_event_id')
      .select(['e.payload'])
      .execute();
    for (const row of obs) state.#observe(JSON.parse(row.payload) as StoredEvent);
    const failed = await db
      .selectFrom('asset_partitions')
      .select(['asset_key', 'partition_key'])
      .where('status', '=', 'failed')
      .execute();
    for (const r of failed)
      state.#failed.add(
        inputRef(r.asset_key, r.partition_key === '' ? undefined : r.partition_key),
      );
    const active = await db
      .selectFrom('runs as r')
      .innerJoin('event_log as e', 'e.id', 'r.created_event_id')
      .select(['r.run_id', 'e.payload'])
      .where('r.status', 'in', ['queued', 'started'])
      .execute();
    for (const r of active) state.#startRun(r.run_id, JSON.parse(r.payload) as { plan?: object });
    const checks = await db
      .selectFrom('check_results as c')
      .leftJoin('asset_partitions as ap', (j) =>
        j
          .onRef('ap.asset_key', '=', 'c.asset_key')
          .onRef('ap.partition_key', '=', 'c.partition_key'),
      )
      .select([
        'c.asset_key',
        'c.partition_key',
        'c.check_name',
        'c.passed',
        'c.severity',
        'c.event_id',
        'ap.last_materialization_event_id as mat_id',
      ])
      .execute();
    for (const c of checks) {
      // Only results on the partition's latest materialization count.
      if (c.mat_id !== null && c.event_id < c.mat_id) continue;
      const ref = inputRef(c.asset_key, c.partition_key === '' ? undefined : c.partition_key);
      state.#setCheck(ref, c.check_name, {
        passed: c.passed === 1,
        severity: c.severity as CheckResultRecord['severity'],
      });
    }
    return state;
  }

  /** The id of the last event applied (or loaded). */
  get lastEventId(): number {
    return this.#lastId;
  }

  /** How many asset partitions have a materialization. */
  get materializedCount(): number {
    return this.#latest.size;
  }

  /**
   * Applies one committed event; returns the partition update it made (a materialization or an
   * observation), if any. Events at or below the loaded position are ignored (already loaded).
   */
  apply(record: EventRecord): PartitionUpdate | undefined {
    if (record.id <= this.#lastId) return undefined;
    this.#lastId = record.id;
    const e = record.event;
    switch (e.type) {
      case 'materialization': {
        // Workers are given the upstream versions at dispatch, so the event records what it read.
        const ref = inputRef(e.assetKey, e.partitionKey);
        const dataVersion = e.dataVersion ?? '';
        const before = this.currentDataVersion(e.assetKey, e.partitionKey)?.dataVersion;
        const ts = Date.parse(e.timestamp);
        const prev = this.#latest.timestamp(e.assetKey, e.partitionKey ?? '');
        if (prev === undefined || ts >= prev) {
          this.#latest.set(e);
          this.#current.delete(ref);
        } else {
          // An older materialization still sets the current data version (as it always has).
          this.#current.set(ref, {
            dataVersion,
            timestamp: new Date(ts),
            source: 'materialization',
          });
        }
        this.#history.get(ref)?.set(dataVersion, toVersioned(e));
        this.#failed.delete(ref);
        // Check results belong to a materialization: a new one clears them.
        this.#checks.delete(ref);
        return this.#log(record.id, e.assetKey, e.partitionKey, before !== dataVersion);
      }
      case 'asset_observation': {
        const before = this.currentDataVersion(e.assetKey, e.partitionKey)?.dataVersion;
        if (!this.#observe(e)) return undefined;
        return this.#log(record.id, e.assetKey, e.partitionKey, before !== e.dataVersion);
      }
      case 'check_evaluation': {
        const ref = inputRef(e.assetKey, e.partitionKey);
        this.#setCheck(ref, e.checkName, { passed: e.passed, severity: e.severity });
        return undefined;
      }
      case 'step_failed': {
        for (const key of (e as { assetKeys?: readonly string[] }).assetKeys ?? []) {
          this.#failed.add(inputRef(key, (e as { partitionKey?: string }).partitionKey));
        }
        return undefined;
      }
      case 'run_queued':
        this.#startRun(e.runId, e);
        return undefined;
      case 'run_finished':
      case 'run_canceled':
        this.#endRun(e.runId);
        return undefined;
      case 'asset_wiped': {
        // As the storage index does: the wiped partitions are missing, with no observation,
        // failure or check result left (a restart would load none of them).
        const keys = e.partitionKeys;
        const lost = this.#wipedKeysOf(e);
        if (keys === undefined) this.#latest.delete(e.assetKey);
        else for (const k of keys) this.#latest.delete(e.assetKey, k);
        const ofAsset = (ref: string) => ref === e.assetKey || ref.startsWith(`${e.assetKey}[`);
        const refs = new Set(
          (keys ?? []).map((k) => inputRef(e.assetKey, k === '' ? undefined : k)),
        );
        const wiped = (ref: string) => (keys === undefined ? ofAsset(ref) : refs.has(ref));
        for (const ref of [...this.#current.keys()]) if (wiped(ref)) this.#current.delete(ref);
        for (const ref of [...this.#failed]) if (wiped(ref)) this.#failed.delete(ref);
        for (const ref of [...this.#checks.keys()]) if (wiped(ref)) this.#checks.delete(ref);
        // Updates for the automation tick: a wiped partition is newly missing (as in Dagster).
        for (const k of lost) this.#log(record.id, e.assetKey, k === '' ? undefined : k, true);
        return undefined;
      }
      default:
        return undefined;
    }
  }

  /** Loads the updates after `cursor` from the event log when they predate what this state logged. */
  async catchUp(cursor: string | undefined): Promise<void> {
    if (cursor === undefined) return;
    const after = Number(cursor);
    const first = this.#updates[0]?.id ?? this.#lastId + 1;
    if (!Number.isFinite(after) || after + 1 >= first) return;
    const older: LoggedUpdate[] = [];
    let from = after;
    for (;;) {
      const page = await this.#storage.getEventsAfter(from, {
        limit: 5000,
        types: ['materialization', 'asset_observation'],
      });
      for (const r of page.records) {
        if (r.id >= first) break;
        const e = r.event as StoredMaterializationEvent;
        older.push({
          id: r.id,
          update: { assetKey: e.assetKey, partitionKey: e.partitionKey, dataVersionChanged: true },
        });
      }
      const last = page.records[page.records.length - 1];
      if (last === undefined || last.id >= first || page.records.length < 5000) break;
      from = last.id;
    }
    this.#updates = [...older, ...this.#updates];
  }

  /**
   * The partitions an `asset_wiped` event is about to clear that have a materialization or an
   * observation ('' for unpartitioned); call it before `apply`.
   */
  wipedKeys(record: EventRecord): string[] {
    const e = record.event;
    if (e.type !== 'asset_wiped' || record.id <= this.#lastId) return [];
    return this.#wipedKeysOf(e);
  }

  #wipedKeysOf(e: { assetKey: string; partitionKeys?: readonly string[] }): string[] {
    const keys = new Set<string>();
    if (e.partitionKeys === undefined) {
      for (const k of this.#latest.keys(e.assetKey)) keys.add(k);
      for (const ref of this.#current.keys()) {
        if (ref === e.assetKey) keys.add('');
        else if (ref.startsWith(`${e.assetKey}[`)) keys.add(ref.slice(e.assetKey.length + 1, -1));
      }
    } else {
      for (const k of e.partitionKeys) {
        const pk = k === '' ? undefined : k;
        if (this.#latest.has(e.assetKey, k) || this.#current.has(inputRef(e.assetKey, pk)))
          keys.add(k);
      }
    }
    return [...keys];
  }

  /** Epoch ms of the partition's latest materialization, if it has one. */
  materializedAt(assetKey: string, partitionKey: string | undefined): number | undefined {
    return this.#latest.timestamp(assetKey, partitionKey ?? '');
  }

  /** Keys of the asset's materialized partitions ('' for an unpartitioned asset). */
  materializedKeys(assetKey: string): PartitionKeySet {
    return this.#latest.keys(assetKey);
  }

  /** Remembers an older materialization (for explanations) fetched from the log. */
  remember(m: VersionedMaterialization): void {
    const ref = inputRef(m.assetKey, m.partitionKey);
    let byVersion = this.#history.get(ref);
    if (byVersion === undefined) {
      byVersion = new Map();
      this.#history.set(ref, byVersion);
    }
    const known = byVersion.get(m.dataVersion);
    if (known === undefined || m.timestamp.getTime() >= known.timestamp.getTime())
      byVersion.set(m.dataVersion, m);
  }

  latestMaterialization(
    assetKey: string,
    partitionKey: string | undefined,
  ): VersionedMaterialization | undefined {
    return this.#latest.get(assetKey, partitionKey ?? '');
  }

  currentDataVersion(
    assetKey: string,
    partitionKey: string | undefined,
  ): CurrentDataVersion | undefined {
    if (this.#current.size > 0) {
      const other = this.#current.get(inputRef(assetKey, partitionKey));
      if (other !== undefined) return other;
    }
    return this.#latest.current(assetKey, partitionKey ?? '');
  }

  materializationWithDataVersion(
    assetKey: string,
    partitionKey: string | undefined,
    dataVersion: string,
  ): VersionedMaterialization | undefined {
    if (this.#latest.dataVersion(assetKey, partitionKey ?? '') === dataVersion)
      return this.#latest.get(assetKey, partitionKey ?? '');
    if (this.#history.size === 0) return undefined;
    return this.#history.get(inputRef(assetKey, partitionKey))?.get(dataVersion);
  }

  updatesSince(cursor: string | undefined): { updates: Iterable<PartitionUpdate>; cursor: string } {
    const next = String(this.#lastId);
    if (cursor === undefined) return { updates: [], cursor: next };
    const after = Number(cursor);
    const updates = this.#updates.filter((u) => u.id > after).map((u) => u.update);
    // One reader (the automation tick) consumes updates: once handed out they are dropped, so the
    // log holds only what happened since the last tick.
    this.#updates = [];
    return { updates, cursor: next };
  }

  isMaterializedOrObserved(assetKey: string, partitionKey: string | undefined): boolean {
    if (this.#latest.has(assetKey, partitionKey ?? '')) return true;
    return this.#current.size > 0 && this.#current.has(inputRef(assetKey, partitionKey));
  }

  isInProgress(assetKey: string, partitionKey: string | undefined): boolean {
    if (this.#inProgress.size === 0) return false;
    return (this.#inProgress.get(inputRef(assetKey, partitionKey)) ?? 0) > 0;
  }

  isFailed(assetKey: string, partitionKey: string | undefined): boolean {
    return this.#failed.size > 0 && this.#failed.has(inputRef(assetKey, partitionKey));
  }

  latestCheckResult(
    assetKey: string,
    checkName: string,
    partitionKey: string | undefined,
  ): CheckResultRecord | undefined {
    if (this.#checks.size === 0) return undefined;
    return this.#checks.get(inputRef(assetKey, partitionKey))?.get(checkName);
  }

  getDynamicPartitionKeys(name: string): readonly string[] {
    return this.#storage.getDynamicPartitionKeys(name);
  }

  #setCheck(ref: string, name: string, result: CheckResultRecord): void {
    let byName = this.#checks.get(ref);
    if (byName === undefined) {
      byName = new Map();
      this.#checks.set(ref, byName);
    }
    byName.set(name, result);
  }

  #observe(e: StoredEvent): boolean {
    if (e.type !== 'asset_observation' || e.dataVersion === undefined) return false;
    const ref = inputRef(e.assetKey, e.partitionKey);
    const ts = new Date(e.timestamp);
    const cur = this.currentDataVersion(e.assetKey, e.partitionKey);
    if (cur !== undefined && ts.getTime() < cur.timestamp.getTime()) return false;
    this.#current.set(ref, { dataVersion: e.dataVersion, timestamp: ts, source: 'observation' });
    return true;
  }

  #log(
    id: number,
    assetKey: string,
    partitionKey: string | undefined,
    dataVersionChanged: boolean,
  ): PartitionUpdate {
    const update = { assetKey, partitionKey, dataVersionChanged };
    this.#updates.push({ id, update });
    return update;
  }

  #startRun(runId: string, event: { plan?: object }): void {
    if (this.#runRefs.has(runId)) return;
    const refs = plannedRefs(event);
    this.#runRefs.set(runId, refs);
    for (const ref of refs) this.#inProgress.set(ref, (this.#inProgress.get(ref) ?? 0) + 1);
  }

  #endRun(runId: string): void {
    const refs = this.#runRefs.get(runId);
    if (refs === undefined) return;
    this.#runRefs.delete(runId);
    for (const ref of refs) {
      const n = (this.#inProgress.get(ref) ?? 1) - 1;
      if (n <= 0) this.#inProgress.delete(ref);
      else this.#inProgress.set(ref, n);
    }
  }
}
