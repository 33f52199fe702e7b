import type { HistoryReader, MaterializationRecord } from '../checks/asset-check.js';
import { CairnError } from '../errors.js';
import type { Metadata } from '../metadata.js';
import { defaultDataVersion, inputRef } from './data-version.js';

/**
 * What staleness needs to know about the past: the latest materialization of an asset partition
 * (with the versions of what it read) and the current data version of an asset partition. The
 * daemon's storage implements it over its indexes; `memoryStalenessReader()` implements it in memory.
 */

/** A materialization with the versions staleness compares: its code version and what it read. */
export interface VersionedMaterialization extends MaterializationRecord {
  /** Input ref (`inputRef(assetKey, partitionKey)`) → data version, for exactly the upstream partitions read. */
  inputDataVersions: Readonly<Record<string, string>>;
  /** The asset keys the asset depended on when it was materialized. */
  depKeys: readonly string[];
}

/** The current data version of an asset partition and the event it came from. */
export interface CurrentDataVersion {
  dataVersion: string;
  /** When the event was recorded. */
  timestamp: Date;
  /** Whether a materialization or an observation (external assets) set it. */
  source: 'materialization' | 'observation';
}

/** The reads staleness rules make; storage implements it, tests use `memoryStalenessReader()`. */
export interface StalenessReader {
  /** The latest materialization of an asset partition, or undefined when it was never materialized. */
  latestMaterialization(
    assetKey: string,
    partitionKey: string | undefined,
  ): VersionedMaterialization | undefined;
  /** The data version of the latest materialization or observation of an asset partition. */
  currentDataVersion(
    assetKey: string,
    partitionKey: string | undefined,
  ): CurrentDataVersion | undefined;
  /**
   * The latest materialization of the asset partition that produced `dataVersion`. Optional: when
   * present, `explainStaleness` can say why an upstream's data version changed (its code, its own
   * inputs), not only that it did.
   */
  materializationWithDataVersion?(
    assetKey: string,
    partitionKey: string | undefined,
    dataVersion: string,
  ): VersionedMaterialization | undefined;
}

/** What `recordMaterialization` takes; omitted fields get the defaults documented on each. */
export interface MaterializationInput {
  assetKey: string;
  /** Default: undefined (unpartitioned). */
  partitionKey?: string;
  /** Default: `defaultDataVersion(codeVersion, inputDataVersions)`. */
  dataVersion?: string;
  /** Default: undefined. */
  codeVersion?: string;
  /** Default `{}`. */
  inputDataVersions?: Readonly<Record<string, string>>;
  /** Default `[]`. */
  depKeys?: readonly string[];
  /** Default: the reader's clock. */
  timestamp?: Date;
  /** Default: `run-<n>`. */
  runId?: string;
  /** Default `{}`. */
  metadata?: Metadata;
}

/** What `recordObservation` takes. */
export interface ObservationInput {
  assetKey: string;
  /** Default: undefined (unpartitioned). */
  partitionKey?: string;
  dataVersion: string;
  /** Default: the reader's clock. */
  timestamp?: Date;
}

/** An in-memory StalenessReader (and HistoryReader for checks) that records events as they are given. */
export interface MemoryStalenessReader extends StalenessReader, HistoryReader {
  latestMaterialization(
    assetKey: string,
    partitionKey: string | undefined,
  ): VersionedMaterialization | undefined;
  materializationWithDataVersion(
    assetKey: string,
    partitionKey: string | undefined,
    dataVersion: string,
  ): VersionedMaterialization | undefined;
  /** Records a materialization and returns it with its defaults filled in. */
  recordMaterialization(input: MaterializationInput): VersionedMaterialization;
  /** Records an observation (the way external assets get data versions). */
  recordObservation(input: ObservationInput): CurrentDataVersion;
}

interface PartitionHistory {
  latest: VersionedMaterialization | undefined;
  current: CurrentDataVersion | undefined;
  byDataVersion: Map<string, VersionedMaterialization>;
}

/**
 * Creates an in-memory reader. Events may arrive out of order: the latest is the one with the
 * greatest timestamp (ties go to the one recorded last), as in the daemon's indexes.
 *
 * @param options.now the clock used for events recorded without a timestamp; default `() => new Date()`
 * @example
 * const reader = memoryStalenessReader();
 * reader.recordObservation({ assetKey: 'stripe/payments', dataVersion: 'v1' });
 * partitionStaleness(defs, 'shop/revenue', undefined, reader);
 */
export function memoryStalenessReader(options: { now?: () => Date } = {}): MemoryStalenessReader {
  const clock = options.now ?? (() => new Date());
  const histories = new Map<string, PartitionHistory>();
  let runs = 0;

  const history = (assetKey: string, partitionKey: string | undefined): PartitionHistory => {
    const ref = inputRef(assetKey, partitionKey);
    let h = histories.get(ref);
    if (h === undefined) {
      h = { latest: undefined, current: undefined, byDataVersion: new Map() };
      histories.set(ref, h);
    }
    return h;
  };
  const setCurrent = (h: PartitionHistory, next: CurrentDataVersion): void => {
    if (h.current === undefined || next.timestamp.getTime() >= h.current.timestamp.getTime())
      h.current = next;
  };

  return {
    latestMaterialization: (assetKey, partitionKey) =>
      histories.get(inputRef(assetKey, partitionKey))?.latest,
    currentDataVersion: (assetKey, partitionKey) =>
      histories.get(inputRef(assetKey, partitionKey))?.current,
    materializationWithDataVersion: (assetKey, partitionKey, dataVersion) =>
      histories.get(inputRef(assetKey, partitionKey))?.byDataVersion.get(dataVersion),
    recordMaterialization(input) {
      if (typeof input?.assetKey !== 'string') {
        throw new CairnError(
          'CAIRN_INVALID_OPTIONS',
          'recordMaterialization() needs "assetKey", e.g. { assetKey: "shop/orders" }.',
          {},
        );
      }
      const inputs = Object.freeze({ ...(input.inputDataVersions ?? {}) });
      const record: VersionedMaterialization = Object.freeze({
        assetKey: input.assetKey,
        partitionKey: input.partitionKey,
        timestamp: input.timestamp ?? clock(),
        metadata: Object.freeze({ ...(input.metadata ?? {}) }),
        dataVersion: input.dataVersion ?? defaultDataVersion(input.codeVersion, inputs),
        codeVersion: input.codeVersion,
        runId: input.runId ?? `run-${++runs}`,
        inputDataVersions: inputs,
        depKeys: Object.freeze([...(input.depKeys ?? [])]),
      });
      const h = history(record.assetKey, record.partitionKey);
      if (h.latest === undefined || record.timestamp.getTime() >= h.latest.timestamp.getTime())
        h.latest = record;
      const same = h.byDataVersion.get(record.dataVersion);
      if (same === undefined || record.timestamp.getTime() >= same.timestamp.getTime())
        h.byDataVersion.set(record.dataVersion, record);
      setCurrent(h, {
        dataVersion: record.dataVersion,
        timestamp: record.timestamp,
        source: 'materialization',
      });
      return record;
    },
    recordObservation(input) {
      if (typeof input?.assetKey !== 'string' || typeof input.dataVersion !== 'string') {
        throw new CairnError(
          'CAIRN_INVALID_OPTIONS',
          `recordObservation() needs "assetKey" and a string "dataVersion"; got assetKey ${JSON.stringify(input?.assetKey)} and dataVersion ${JSON.stringify(input?.dataVersion)}.`,
          {},
        );
      }
      const event: CurrentDataVersion = Object.freeze({
        dataVersion: input.dataVersion,
        timestamp: input.timestamp ?? clock(),
        source: 'observation' as const,
      });
      setCurrent(history(input.assetKey, input.partitionKey), event);
      return event;
    },
  };
}
