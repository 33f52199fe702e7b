import type { Kysely } from 'kysely';
import type { EventWriter } from './event-writer.js';
import type { SqlFlavor } from './migrations/sql-flavor.js';
import type { PartitionStatusPage, PartitionStatusQuery } from './records.js';
import type { CairnDatabase } from './schema.js';

/** The result of a database integrity check. */
export interface IntegrityReport {
  /** True when the database reported no problem. */
  ok: boolean;
  /** The problems reported (empty when ok). */
  problems: string[];
}

/**
 * What a dialect module provides to the storage: a migrated kysely instance for the
 * dialect-agnostic reads, the writer of the hot path, and the few dialect-specific operations.
 */
export interface StorageBackend {
  readonly flavor: SqlFlavor;
  /** Human-readable location used in error messages, e.g. `"/var/cairn/cairn.db"`. */
  readonly where: string;
  readonly db: Kysely<CairnDatabase>;
  readonly writer: EventWriter;
  /** Migrations applied when the backend opened. */
  readonly appliedMigrations: readonly string[];
  /**
   * A faster `getPartitionStatus` than the kysely read (prepared statements), when the dialect
   * has one (SQLite). Optional: the storage falls back to the dialect-agnostic read.
   */
  readonly partitionStatus?: (assetKey: string, opts?: PartitionStatusQuery) => PartitionStatusPage;
  /** Checks the database's physical integrity. */
  integrityCheck(): Promise<IntegrityReport>;
  /** Closes the connection(s). */
  close(): Promise<void>;
}
