import type { CheckSeverity } from '../checks/asset-check.js';
import { CairnError } from '../errors.js';
import type { Metadata } from '../metadata.js';
import { defaultDataVersion } from '../versioning/data-version.js';
import type {
  CurrentDataVersion,
  MaterializationInput,
  ObservationInput,
  VersionedMaterialization,
} from '../versioning/staleness-reader.js';
import { fromPartitionKey, toPartitionKey } from './asset-space.js';
import type {
  AutomationStateReader,
  CheckResultRecord,
  PartitionUpdate,
} from './automation-state-reader.js';

/** An in-memory AutomationStateReader that records events as they are given (for tests and benchmarks). */
export interface MemoryAutomationState extends AutomationStateReader {
  /** Records a materialization (clears a failure and the partition's check results). */
  recordMaterialization(input: MaterializationInput): VersionedMaterialization;
  /** Records an observation (how external assets get data versions). */
  recordObservation(input: ObservationInput): CurrentDataVersion;
  /** Marks the asset partition as targeted by a queued or running run (or no longer, with `false`). */
  setInProgress(assetKey: string, partitionKey: string | undefined, inProgress?: boolean): void;
  /** Records that a run failed to materialize the asset partition (also ends its in-progress state). */
  recordFailure(assetKey: string, partitionKey: string | undefined): void;
  /** Records a check result on the asset partition's latest materialization. */
  recordCheckResult(input: {
    assetKey: string;
    partitionKey?: string;
    check: string;
    passed: boolean;
    /** Default `error`. */
    severity?: CheckSeverity;
  }): void;
  /** Adds keys to a dynamic partitions definition. */
  addDynamicPartitions(name: string, keys: readonly string[]): void;
  getDynamicPartitionKeys(name: string): readonly string[];
  materializationWithDataVersion(
    assetKey: string,
    partitionKey: string | undefined,
    dataVersion: string,
  ): VersionedMaterialization | undefined;
}

const EMPTY_OBJECT = Object.freeze({}) as Readonly<Record<string, never>>;
const EMPTY_LIST: readonly string[] = Object.freeze([]);

// One entry per asset partition, kept small (no Dates, shared empty objects): the benchmark holds
// a million of them.
interface Entry {
  materialization: VersionedMaterialization | undefined;
  /** Current data version and when/how it was set. */
  version: string | undefined;
  versionAt: number;
  observed: boolean;
  inProgress: boolean;
  failed: boolean;
  previous: VersionedMaterialization[] | undefined;
  checks: Map<string, CheckResultRecord> | undefined;
}

function keepPrevious(e: Entry, record: VersionedMaterialization): void {
  e.previous ??= [];
  e.previous.push(record);
}

/**
 * Creates an in-memory automation state. Events may arrive out of order for staleness (the latest
 * is the one with the greatest timestamp), but updates are reported in the order recorded, like
 * the daemon's event log.
 *
 * @param options.now the clock for events recorded without a timestamp; default `() => new Date()`
 * @example
 * const state = memoryAutomationState({ now: () => clock.now() });
 * state.recordMaterialization({ assetKey: 'shop/raw_orders', partitionKey: '2024-03-02' });
 * evaluateAutomation(defs, state, { now });
 */
export function memoryAutomationState(options: { now?: () => Date } = {}): MemoryAutomationState {
  const clock = options.now ?? (() => new Date());
  const assets = new Map<string, Map<string, Entry>>();
  const dynamic = new Map<string, string[]>();
  // The update log as parallel arrays: cheaper than an object per event.
  const logAsset: string[] = [];
  const logKey: string[] = [];
  const logChanged: boolean[] = [];
  let runs = 0;

  const find = (assetKey: string, partitionKey: string | undefined): Entry | undefined =>
    assets.get(assetKey)?.get(fromPartitionKey(partitionKey));
  const entry = (assetKey: string, partitionKey: string | undefined): Entry => {
    let byKey = assets.get(assetKey);
    if (byKey === undefined) {
      byKey = new Map();
      assets.set(assetKey, byKey);
    }
    const key = fromPartitionKey(partitionKey);
    let e = byKey.get(key);
    if (e === undefined) {
      e = {
        materialization: undefined,
        version: undefined,
        versionAt: Number.NEGATIVE_INFINITY,
        observed: false,
        inProgress: false,
        failed: false,
        previous: undefined,
        checks: undefined,
      };
      byKey.set(key, e);
    }
    return e;
  };
  const log = (assetKey: string, partitionKey: string | undefined, changed: boolean): void => {
    logAsset.push(assetKey);
    logKey.push(fromPartitionKey(partitionKey));
    logChanged.push(changed);
  };
  const setVersion = (e: Entry, version: string, at: number, observed: boolean): boolean => {
    if (at < e.versionAt) return false;
    const changed = e.version !== version;
    e.version = version;
    e.versionAt = at;
    e.observed = observed;
    return changed;
  };
  const requireKey = (assetKey: unknown, what: string): void => {
    if (typeof assetKey !== 'string') {
      throw new CairnError(
        'CAIRN_INVALID_OPTIONS',
        `${what} needs "assetKey", e.g. { assetKey: "shop/orders" }; got ${JSON.stringify(assetKey)}.`,
        {},
      );
    }
  };

  return {
    latestMaterialization: (assetKey, partitionKey) =>
      find(assetKey, partitionKey)?.materialization,
    currentDataVersion(assetKey, partitionKey) {
      const e = find(assetKey, partitionKey);
      if (e?.version === undefined) return undefined;
      return {
        dataVersion: e.version,
        timestamp: new Date(e.versionAt),
        source: e.observed ? 'observation' : 'materialization',
      };
    },
    materializationWithDataVersion(assetKey, partitionKey, dataVersion) {
      const e = find(assetKey, partitionKey);
      if (e?.materialization?.dataVersion === dataVersion) return e.materialization;
      const prev = e?.previous;
      if (prev === undefined) return undefined;
      for (let i = prev.length - 1; i >= 0; i--)
        if (prev[i]!.dataVersion === dataVersion) return prev[i];
      return undefined;
    },
    recordMaterialization(input) {
      requireKey(input?.assetKey, 'recordMaterialization()');
      const inputs =
        input.inputDataVersions === undefined || Object.keys(input.inputDataVersions).length === 0
          ? EMPTY_OBJECT
          : Object.freeze({ ...input.inputDataVersions });
      const record: VersionedMaterialization = Object.freeze({
        assetKey: input.assetKey,
        partitionKey: input.partitionKey,
        timestamp: input.timestamp ?? clock(),
        metadata: (input.metadata === undefined
          ? EMPTY_OBJECT
          : Object.freeze({ ...input.metadata })) as Metadata,
        dataVersion: input.dataVersion ?? defaultDataVersion(input.codeVersion, inputs),
        codeVersion: input.codeVersion,
        runId: input.runId ?? `run-${++runs}`,
        inputDataVersions: inputs,
        depKeys:
          input.depKeys === undefined || input.depKeys.length === 0
            ? EMPTY_LIST
            : Object.freeze([...input.depKeys]),
      });
      const e = entry(record.assetKey, record.partitionKey);
      const at = record.timestamp.getTime();
      if (e.materialization === undefined || at >= e.materialization.timestamp.getTime()) {
        if (e.materialization !== undefined) keepPrevious(e, e.materialization);
        e.materialization = record;
        e.failed = false;
        e.inProgress = false;
        e.checks = undefined;
      } else keepPrevious(e, record);
      const first = e.version === undefined;
      const changed = setVersion(e, record.dataVersion, at, false);
      log(record.assetKey, record.partitionKey, changed || first);
      return record;
    },
    recordObservation(input) {
      requireKey(input?.assetKey, 'recordObservation()');
      if (typeof input.dataVersion !== 'string') {
        throw new CairnError(
          'CAIRN_INVALID_OPTIONS',
          `recordObservation() needs a string "dataVersion"; got ${JSON.stringify(input.dataVersion)}.`,
          { assetKey: input.assetKey },
        );
      }
      const at = (input.timestamp ?? clock()).getTime();
      const e = entry(input.assetKey, input.partitionKey);
      const changed = setVersion(e, input.dataVersion, at, true);
      log(input.assetKey, input.partitionKey, changed);
      return { dataVersion: input.dataVersion, timestamp: new Date(at), source: 'observation' };
    },
    updatesSince(cursor) {
      const end = logAsset.length;
      if (cursor === undefined) return { updates: [], cursor: String(end) };
      const from = Number(cursor);
      if (!Number.isInteger(from) || from < 0 || from > end) {
        throw new CairnError(
          'CAIRN_INVALID_OPTIONS',
          `updatesSince(): cursor ${JSON.stringify(cursor)} is not a cursor this state returned (0..${end}).`,
          { cursor },
        );
      }
      const updates: PartitionUpdate[] = [];
      for (let i = from; i < end; i++) {
        updates.push({
          assetKey: logAsset[i]!,
          partitionKey: toPartitionKey(logKey[i]!),
          dataVersionChanged: logChanged[i]!,
        });
      }
      return { updates, cursor: String(end) };
    },
    isInProgress: (assetKey, partitionKey) => find(assetKey, partitionKey)?.inProgress ?? false,
    isFailed: (assetKey, partitionKey) => find(assetKey, partitionKey)?.failed ?? false,
    latestCheckResult: (assetKey, checkName, partitionKey) =>
      find(assetKey, partitionKey)?.checks?.get(checkName),
    setInProgress(assetKey, partitionKey, inProgress = true) {
      entry(assetKey, partitionKey).inProgress = inProgress;
    },
    recordFailure(assetKey, partitionKey) {
      const e = entry(assetKey, partitionKey);
      e.failed = true;
      e.inProgress = false;
    },
    recordCheckResult(input) {
      requireKey(input?.assetKey, 'recordCheckResult()');
      const e = entry(input.assetKey, input.partitionKey);
      e.checks ??= new Map();
      e.checks.set(input.check, {
        passed: input.passed,
        severity: input.severity ?? 'error',
      });
    },
    addDynamicPartitions(name, keys) {
      const list = dynamic.get(name) ?? [];
      for (const k of keys) if (!list.includes(k)) list.push(k);
      dynamic.set(name, list);
    },
    getDynamicPartitionKeys: (name) => dynamic.get(name) ?? EMPTY_LIST,
  };
}
