/** The daemon's storage: event log, derived indexes, migrations (SQLite now, Postgres later). */
export {
  BACKFILL_ATTEMPT_TAG,
  BACKFILL_CHUNK_TAG,
  type BackfillLedgerStore,
} from './backfill-ledger.js';
export type { EventWriter, PartitionIndexOf, RebuildResult, WriterStats } from './event-writer.js';
export { appliedMigrations, cairnMigrations, MIGRATION_TABLE } from './migrations/migrate.js';
export type { SqlFlavor } from './migrations/sql-flavor.js';
export type { PartitionRange } from './partition-ranges.js';
export type { PostgresBackendOptions } from './postgres/postgres-backend.js';
export type {
  AssetPartitionState,
  CheckResult,
  EventPage,
  PartitionStatusCounts,
  PartitionStatusPage,
  PartitionStatusQuery,
  RunRecord,
  StepRecord,
} from './records.js';
export type {
  BackfillPartitionStatus,
  CairnDatabase,
  PartitionRowStatus,
  PartitionStatus,
  RunStatus,
  StepStatus,
} from './schema.js';
export type { SqliteBackendOptions } from './sqlite/sqlite-backend.js';
export { type OpenStorageOptions, openStorage, type Storage } from './storage.js';
export type { IntegrityReport } from './storage-backend.js';
export type {
  EventRecord,
  StoredAssetObservationEvent,
  StoredAssetWipedEvent,
  StoredBackfillCanceledEvent,
  StoredBackfillChunk,
  StoredBackfillRequestedEvent,
  StoredBackfillResumedEvent,
  StoredBackfillRunOptions,
  StoredCheckEvaluationEvent,
  StoredDynamicPartitionsAddedEvent,
  StoredDynamicPartitionsRemovedEvent,
  StoredError,
  StoredEvent,
  StoredEventType,
  StoredLogEvent,
  StoredMaterializationEvent,
  StoredRunCanceledEvent,
  StoredRunFinishedEvent,
  StoredRunQueuedEvent,
  StoredRunStartedEvent,
  StoredStepFailedEvent,
  StoredStepRetryEvent,
  StoredStepSkippedEvent,
  StoredStepStartedEvent,
} from './stored-event.js';
