import type { PartitionRange } from '../partition-ranges.js';
import type { AssetPartitionsTable, RunsTable, StepsTable } from '../schema.js';

/**
 * The rows of the derived tables a Postgres batch has read so far (inside its transaction), and
 * exactly what they are complete for. The in-memory index store answers the updater's
 * synchronous reads from here; a read it cannot answer raises an `IndexMiss` naming what to load,
 * the writer loads it and replays the batch from its first event.
 */

/** A row of `asset_partitions`. */
export type PartitionRow = AssetPartitionsTable;
/** A row of `runs`. */
export type RunRow = RunsTable;
/** A row of `steps`. */
export type StepRow = StepsTable;

/** What a read needs that the snapshot does not hold yet. */
export type MissRequest =
  | { kind: 'partition'; assetKey: string; partitionKey: string }
  | { kind: 'inProgress'; runId: string }
  | { kind: 'run'; runId: string }
  | { kind: 'steps'; runId: string }
  | { kind: 'ranges'; assetKey: string; index: number };

/** Thrown by the in-memory index store when the snapshot cannot answer a read. */
export class IndexMiss {
  constructor(readonly request: MissRequest) {}
}

/** The ranges of one asset known from the database: every range starting in [lo, hi]. */
export interface RangeCoverage {
  /** 0, or the start of a stored range (so no unknown range starts between it and `hi`). */
  lo: number;
  hi: number;
  byStart: Map<number, PartitionRange>;
}

/** The key of an asset partition in the maps (NUL cannot occur in Postgres text). */
export function partKey(assetKey: string, partitionKey: string): string {
  return `${assetKey}\u0000${partitionKey}`;
}

/** The rows loaded from the database for one batch (immutable while the batch is applied). */
export class PgIndexSnapshot {
  /** Asset partition rows by `partKey` (null: known absent). */
  readonly parts = new Map<string, PartitionRow | null>();
  /** Runs whose every in-progress partition row is loaded. */
  readonly inProgressRuns = new Set<string>();
  /** The keys of those rows, per run. */
  readonly inProgressKeys = new Map<string, Set<string>>();
  /** Run rows (null: known absent). */
  readonly runs = new Map<string, RunRow | null>();
  /** Steps of the runs whose every step is loaded. */
  readonly steps = new Map<string, Map<string, StepRow>>();
  /** Stored ranges per asset. */
  readonly ranges = new Map<string, RangeCoverage>();

  /** Records a loaded partition row (and indexes it by run when in progress). */
  addPartition(row: PartitionRow): void {
    const key = partKey(row.asset_key, row.partition_key);
    this.parts.set(key, row);
    if (row.status === 'in_progress' && row.run_id !== null) {
      let keys = this.inProgressKeys.get(row.run_id);
      if (keys === undefined) {
        keys = new Set();
        this.inProgressKeys.set(row.run_id, keys);
      }
      keys.add(key);
    }
  }
}
