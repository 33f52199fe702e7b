import { type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import { DaemonError } from '../errors.js';
import { DynamicPartitionsCache } from './dynamic-partitions-cache.js';
import type { EventWriter, PartitionIndexOf, RebuildResult, WriterStats } from './event-writer.js';
import { closedError, GroupCommitter } from './group-commit.js';
import { openPostgresBackend } from './postgres/postgres-backend.js';
import type {
  AssetPartitionState,
  CheckResult,
  EventPage,
  PartitionStatusPage,
  PartitionStatusQuery,
  RunRecord,
  StepRecord,
} from './records.js';
import type { CairnDatabase, RunStatus } from './schema.js';
import { openSqliteBackend, type SqliteBackendOptions } from './sqlite/sqlite-backend.js';
import type { IntegrityReport, StorageBackend } from './storage-backend.js';
import * as reads from './storage-reads.js';
import type { EventRecord, StoredEvent, StoredEventType } from './stored-event.js';
import { validateEvent } from './validate-event.js';

/**
 * Options of `openStorage`. SQLite by `path`; Postgres by `databaseUrl`, or, when neither
 * `path` nor `databaseUrl` is given, by the env `CAIRN_DATABASE_URL`.
 */
export interface OpenStorageOptions extends Omit<SqliteBackendOptions, 'path'> {
  /** The SQLite database file (created with its directory if missing), or `:memory:`. */
  path?: string;
  /** A `postgres://` URL: store in Postgres instead of SQLite (wins over `path`). */
  databaseUrl?: string;
  /** Postgres: most pooled connections (one is the writer's). Default 10. */
  poolSize?: number;
  /** Most events committed in one transaction by the group commit. Default 5000. */
  maxBatchSize?: number;
  /**
   * Milliseconds between looks for dynamic partition keys added or removed by other processes
   * sharing the database (one indexed read of the newest events); 0 turns it off. Default 1000.
   */
  dynamicPartitionsRefreshMs?: number;
}

/** The transaction `Storage.exclusive` runs its function in. */
export interface ExclusiveTransaction {
  /** The transaction's kysely handle (dialect-agnostic SQL only). */
  readonly db: Kysely<CairnDatabase>;
  /**
   * Adds `FOR UPDATE SKIP LOCKED` on Postgres (rows another transaction is writing are passed
   * over); unchanged on SQLite, where the transaction already holds the database's write lock.
   */
  skipLocked<DB, TB extends keyof DB, O>(
    query: SelectQueryBuilder<DB, TB, O>,
  ): SelectQueryBuilder<DB, TB, O>;
}

/** Postgres advisory lock key of `Storage.exclusive` ("claim" in ASCII; the writer's differs). */
export const EXCLUSIVE_LOCK_KEY = 0x636c61696d;

/**
 * The daemon's state: an append-only event log (the source of truth) and the indexes derived
 * from it. Writes go through `append` only; reads are paged queries on the indexes.
 *
 * @example
 * const storage = await openStorage({ path: '.cairn/cairn.db' });
 * const [id] = await storage.append([{ type: 'materialization', assetKey: 'shop/orders',
 *   timestamp: new Date().toISOString(), reported: true, dataVersion: 'v1' }]);
 * await storage.close();
 */
export interface Storage {
  /** Where the database is, for messages. */
  readonly where: string;
  /** The migrated kysely instance (for the daemon's own queries; dialect-agnostic SQL only). */
  readonly db: Kysely<CairnDatabase>;
  /**
   * Appends events to the log and updates the indexes, in a group commit shared with the other
   * appends of this macrotask. Resolves with the events' sequence ids once COMMITTED; rejects
   * (CAIRN_INVALID_EVENT, CAIRN_STORAGE_WRITE_FAILED, CAIRN_STORAGE_CLOSED) with nothing stored.
   */
  append(events: readonly StoredEvent[]): Promise<number[]>;
  /** Commits every pending append. */
  flush(): Promise<void>;
  /** Events of a run in log order, paged by `afterId`. */
  getEventsForRun(runId: string, opts?: { afterId?: number; limit?: number }): Promise<EventPage>;
  /** Events after `afterId` in log order (for live streams). */
  getEventsAfter(
    afterId: number,
    opts?: { limit?: number; types?: readonly StoredEventType[] },
  ): Promise<EventPage>;
  /** The id of the last committed event (0 when empty). */
  getLastEventId(): Promise<number>;
  /** The latest materialization of an asset partition (omit the key for unpartitioned assets). */
  getLatestMaterialization(
    assetKey: string,
    partitionKey?: string,
  ): Promise<EventRecord | undefined>;
  /** Materializations of an asset, newest first, paged by `beforeId`. */
  getMaterializationHistory(
    assetKey: string,
    opts?: { partitionKey?: string; beforeId?: number; limit?: number },
  ): Promise<EventPage>;
  /** The latest state (status, versions) of an asset partition. */
  getAssetPartition(
    assetKey: string,
    partitionKey?: string,
  ): Promise<AssetPartitionState | undefined>;
  /** A page of an asset's partition status ranges with its counts. */
  getPartitionStatus(assetKey: string, opts?: PartitionStatusQuery): Promise<PartitionStatusPage>;
  /** The latest results of checks. */
  getCheckResults(filter?: {
    assetKey?: string;
    checkId?: string;
    partitionKey?: string;
  }): Promise<CheckResult[]>;
  /** One run. */
  getRun(runId: string): Promise<RunRecord | undefined>;
  /** Runs, newest first. */
  getRuns(opts?: {
    status?: RunStatus;
    backfillId?: string;
    beforeCursor?: number;
    limit?: number;
  }): Promise<{ runs: RunRecord[]; nextCursor?: number }>;
  /** The steps of a run. */
  getSteps(runId: string): Promise<StepRecord[]>;
  /** The keys of a dynamic partitions definition, in insertion order (core's `DynamicPartitionsReader`). */
  getDynamicPartitionKeys(name: string): readonly string[];
  /** Truncates the derived indexes and replays the whole event log into them. */
  rebuildIndexes(): Promise<RebuildResult>;
  /** Recomputes an asset's partition indexes with `indexOf` and rebuilds its status ranges. */
  rebuildPartitionRanges(
    assetKey: string,
    indexOf: PartitionIndexOf,
  ): Promise<{ partitions: number; ranges: number }>;
  /** Checks the database file's integrity. */
  integrityCheck(): Promise<IntegrityReport>;
  /** Write counters (transactions, events, failed batches) since open. */
  stats(): WriterStats;
  /**
   * Runs `fn` in one transaction that excludes every other `exclusive` transaction on this
   * database, from any process: Postgres takes a transaction-scoped advisory lock; SQLite begins
   * IMMEDIATE (the database's write lock) and holds this storage's group commit until it ends.
   * Keep `fn` short: it serializes run claims across daemons and workers.
   */
  exclusive<T>(fn: (tx: ExclusiveTransaction) => Promise<T>): Promise<T>;
  /** Commits pending appends, then closes the database. Idempotent. */
  close(): Promise<void>;
}

/** Opens (creating and migrating if needed) the daemon's storage. */
export async function openStorage(options: OpenStorageOptions): Promise<Storage> {
  const databaseUrl =
    options?.databaseUrl ??
    (options?.path === undefined ? process.env.CAIRN_DATABASE_URL || undefined : undefined);
  if (databaseUrl === undefined && (typeof options?.path !== 'string' || options.path === '')) {
    throw new DaemonError(
      'CAIRN_INVALID_OPTIONS',
      'openStorage: "path" must be the database file path (e.g. ".cairn/cairn.db") or ":memory:", or give "databaseUrl" (postgres://...).',
      { option: 'path' },
    );
  }
  const maxBatchSize = options.maxBatchSize ?? 5000;
  if (!Number.isSafeInteger(maxBatchSize) || maxBatchSize < 1) {
    throw new DaemonError(
      'CAIRN_INVALID_OPTIONS',
      `openStorage: maxBatchSize must be a positive integer, got ${String(options.maxBatchSize)}.`,
      { option: 'maxBatchSize', value: options.maxBatchSize },
    );
  }
  const backend =
    databaseUrl === undefined
      ? await openSqliteBackend({ ...options, path: options.path! })
      : await openPostgresBackend({ databaseUrl, poolSize: options.poolSize });
  const dynamic = new DynamicPartitionsCache();
  await dynamic.load(backend.db);
  dynamic.startRefresh(backend.db, options.dynamicPartitionsRefreshMs ?? 1000);
  return new EventLogStorage(backend, dynamic, maxBatchSize);
}

/** The dialect-agnostic `Storage` over one backend. */
class EventLogStorage implements Storage {
  readonly where: string;
  readonly db: Kysely<CairnDatabase>;
  readonly #backend: StorageBackend;
  readonly #dynamic: DynamicPartitionsCache;
  readonly #committer: GroupCommitter;
  #closed: Promise<void> | undefined;
  // SQLite: set while an exclusive transaction is open on the shared connection, so the group
  // commit waits instead of nesting its batch in that transaction.
  #exclusive: Promise<void> | undefined;

  constructor(backend: StorageBackend, dynamic: DynamicPartitionsCache, maxBatchSize: number) {
    this.where = backend.where;
    this.db = backend.db;
    this.#backend = backend;
    this.#dynamic = dynamic;
    const writer = backend.writer;
    const gated: EventWriter = {
      writeBatch: (events) =>
        this.#exclusive === undefined
          ? writer.writeBatch(events)
          : this.#afterExclusive(() => writer.writeBatch(events)),
      rebuildIndexes: () => writer.rebuildIndexes(),
      rebuildPartitionRanges: (assetKey, indexOf) =>
        writer.rebuildPartitionRanges(assetKey, indexOf),
      stats: () => writer.stats(),
    };
    this.#committer = new GroupCommitter(gated, maxBatchSize, (events) => dynamic.apply(events));
  }

  async #afterExclusive<T>(write: () => T | Promise<T>): Promise<T> {
    while (this.#exclusive !== undefined) await this.#exclusive;
    return write();
  }

  async exclusive<T>(fn: (tx: ExclusiveTransaction) => Promise<T>): Promise<T> {
    this.#assertOpen();
    if (this.#backend.flavor === 'postgres') {
      return this.db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(${sql.lit(EXCLUSIVE_LOCK_KEY)})`.execute(trx);
        return fn({ db: trx, skipLocked: (q) => q.forUpdate().skipLocked() });
      });
    }
    // kysely's SQLite driver lends its one connection to one caller at a time, so exclusive
    // transactions of this process queue up; BEGIN IMMEDIATE excludes other processes.
    return this.db.connection().execute(async (conn) => {
      let release!: () => void;
      this.#exclusive = new Promise<void>((r) => {
        release = r;
      });
      try {
        await sql`begin immediate`.execute(conn);
        try {
          const result = await fn({ db: conn, skipLocked: (q) => q });
          await sql`commit`.execute(conn);
          return result;
        } catch (err) {
          await sql`rollback`.execute(conn).catch(() => undefined);
          throw err;
        }
      } finally {
        this.#exclusive = undefined;
        release();
      }
    });
  }

  append(events: readonly StoredEvent[]): Promise<number[]> {
    if (this.#closed !== undefined) return Promise.reject(closedError(this.where));
    if (!Array.isArray(events)) {
      return Promise.reject(
        new DaemonError('CAIRN_INVALID_EVENT', 'append() takes an array of events.', {}),
      );
    }
    try {
      for (let i = 0; i < events.length; i++) validateEvent(events[i]!, i);
    } catch (err) {
      return Promise.reject(err);
    }
    if (events.length === 0) return Promise.resolve([]);
    return this.#committer.append(events);
  }

  flush(): Promise<void> {
    return this.#committer.flush();
  }

  getEventsForRun(runId: string, opts?: { afterId?: number; limit?: number }): Promise<EventPage> {
    return reads.readEventsForRun(this.db, runId, opts);
  }

  getEventsAfter(
    afterId: number,
    opts?: { limit?: number; types?: readonly StoredEventType[] },
  ): Promise<EventPage> {
    return reads.readEventsAfter(this.db, afterId, opts);
  }

  getLastEventId(): Promise<number> {
    return reads.readLastEventId(this.db);
  }

  getLatestMaterialization(
    assetKey: string,
    partitionKey?: string,
  ): Promise<EventRecord | undefined> {
    return reads.readLatestMaterialization(this.db, assetKey, partitionKey);
  }

  getMaterializationHistory(
    assetKey: string,
    opts?: { partitionKey?: string; beforeId?: number; limit?: number },
  ): Promise<EventPage> {
    return reads.readMaterializationHistory(this.db, assetKey, opts);
  }

  getAssetPartition(
    assetKey: string,
    partitionKey?: string,
  ): Promise<AssetPartitionState | undefined> {
    return reads.readAssetPartition(this.db, assetKey, partitionKey);
  }

  getPartitionStatus(assetKey: string, opts?: PartitionStatusQuery): Promise<PartitionStatusPage> {
    const fast = this.#backend.partitionStatus;
    if (fast === undefined) return reads.readPartitionStatus(this.db, assetKey, opts);
    try {
      return Promise.resolve(fast(assetKey, opts));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  getCheckResults(filter?: {
    assetKey?: string;
    checkId?: string;
    partitionKey?: string;
  }): Promise<CheckResult[]> {
    return reads.readCheckResults(this.db, filter);
  }

  getRun(runId: string): Promise<RunRecord | undefined> {
    return reads.readRun(this.db, runId);
  }

  getRuns(opts?: {
    status?: RunStatus;
    backfillId?: string;
    beforeCursor?: number;
    limit?: number;
  }): Promise<{ runs: RunRecord[]; nextCursor?: number }> {
    return reads.readRuns(this.db, opts);
  }

  getSteps(runId: string): Promise<StepRecord[]> {
    return reads.readSteps(this.db, runId);
  }

  getDynamicPartitionKeys(name: string): readonly string[] {
    return this.#dynamic.get(name);
  }

  async rebuildIndexes(): Promise<RebuildResult> {
    this.#assertOpen();
    await this.#committer.flush();
    const result = await this.#backend.writer.rebuildIndexes();
    // Reload the cache from the rebuilt table; again if an append committed meanwhile.
    for (;;) {
      const before = this.stats().transactions;
      await this.#dynamic.load(this.db);
      if (this.stats().transactions === before) break;
    }
    return result;
  }

  async rebuildPartitionRanges(
    assetKey: string,
    indexOf: PartitionIndexOf,
  ): Promise<{ partitions: number; ranges: number }> {
    this.#assertOpen();
    await this.#committer.flush();
    return this.#backend.writer.rebuildPartitionRanges(assetKey, indexOf);
  }

  integrityCheck(): Promise<IntegrityReport> {
    this.#assertOpen();
    return this.#backend.integrityCheck();
  }

  stats(): WriterStats {
    return this.#backend.writer.stats();
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#dynamic.stopRefresh();
      await this.#committer.flush();
      await this.#backend.close();
    })();
    return this.#closed;
  }

  #assertOpen(): void {
    if (this.#closed !== undefined) throw closedError(this.where);
  }
}
