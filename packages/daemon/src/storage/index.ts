/** The daemon's storage: event log, derived indexes, migrations (SQLite now, Postgres later). */
export type { EventWriter, PartitionIndexOf, RebuildResult, WriterStats } from './event-writer.js';
export { appliedMigrations, cairnMigrations, MIGRATION_TABLE } from './migrations/migrate.js';
export type { SqlFlavor } from './migrations/sql-flavor.js';
export type { PartitionRange } from './partition-ranges.js';
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
