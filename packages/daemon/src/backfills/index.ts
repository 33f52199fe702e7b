/** Backfills: a selection × a partition set, persisted as a ledger and split into runs. */
export {
  BACKFILL_TAG,
  BackfillManager,
  type BackfillManagerOptions,
  createBackfillManager,
} from './backfill-manager.js';
export type {
  BackfillCounts,
  BackfillPartitionRecord,
  BackfillPartitionSet,
  BackfillRequest,
  BackfillRunSubmitter,
  BackfillState,
  BackfillStatus,
  BackfillTickResult,
} from './backfill-types.js';
export { MAX_BACKFILL_ROWS } from './plan-backfill.js';
