import type { BackfillPartitionStatus } from './schema.js';
import type { StoredBackfillRequestedEvent, StoredEvent } from './stored-event.js';

/**
 * What events do to the backfill ledger (`backfills`, `backfill_partitions`). Called by
 * `applyEventToIndexes`, so the ledger changes in the same transaction as the events that move it
 * and `rebuildIndexes()` replays it like every other index.
 *
 * Row transitions: backfill_requested → requested; run_queued of the backfill (tagged with its
 * chunk) → in_progress owned by that run; run_queued of a retry or re-execution of a run → the
 * rows that run failed are in_progress again, owned by the new run; materialization by a run of the backfill →
 * materialized; step_failed (not a cancellation or an interruption) → failed; the run's end →
 * what the run still owns is reopened when the run was canceled or interrupted by a daemon stop
 * (requested again, so a restarted daemon continues it; canceled if the backfill itself is
 * canceled), and failed when the run failed (a step skipped behind a failed upstream, a worker
 * crash). backfill_canceled → requested rows canceled;
 * backfill_resumed → canceled rows (or, with retryFailed, failed rows) requested again.
 */

/** The tag naming the chunk of the backfill a run was submitted for. */
export const BACKFILL_CHUNK_TAG = 'cairn/backfill_chunk';
/** The tag naming which submission of that chunk the run is (1 for the first). */
export const BACKFILL_ATTEMPT_TAG = 'cairn/backfill_attempt';

const ABORTED = 'CAIRN_RUN_ABORTED';
// The daemon stopped under the run (recovery fails it on the next start): not the data's fault.
const INTERRUPTED = 'CAIRN_RUN_INTERRUPTED';

/** The synchronous ledger primitives a dialect provides (run inside the append transaction). */
export interface BackfillLedgerStore {
  /** Inserts the backfill row; fails (constraint) if the id exists. */
  insertBackfill(
    backfillId: string,
    eventId: number,
    at: string,
    request: string,
    chunks: number,
  ): void;
  /** Inserts one requested ledger row. */
  insertRow(
    backfillId: string,
    assetKey: string,
    partitionKey: string,
    chunk: number,
    position: number,
    at: string,
  ): void;
  /** Sets the backfill's canceled flag (and counts one more pass when resuming). */
  setCanceled(backfillId: string, canceled: boolean, at: string): void;
  /** Moves every row of the backfill in status `from` to status `to`. */
  moveRows(
    backfillId: string,
    from: BackfillPartitionStatus,
    to: BackfillPartitionStatus,
    at: string,
  ): void;
  /** Gives the requested rows of a chunk to a run (in_progress, attempts = `attempt`). */
  assignChunk(backfillId: string, chunk: number, runId: string, attempt: number, at: string): void;
  /** Gives the rows `parentRunId` left failed or requested to `runId` (in_progress again). */
  adoptFailedRows(parentRunId: string, runId: string, at: string): void;
  /** The backfill a run belongs to, from the runs index. */
  backfillOfRun(runId: string): string | null;
  /** Marks a row of a backfill materialized by `runId`. */
  markMaterialized(
    backfillId: string,
    assetKey: string,
    partitionKey: string,
    runId: string,
    at: string,
  ): void;
  /** Ends one row a run owns (still in progress) with `status`. */
  endRunRow(
    runId: string,
    assetKey: string,
    partitionKey: string,
    status: BackfillPartitionStatus,
    at: string,
  ): void;
  /** Ends every row a run still owns with `status`. */
  endRun(runId: string, status: BackfillPartitionStatus, at: string): void;
  /** Reopens every row a run still owns: requested, or canceled when its backfill is canceled. */
  reopenRun(runId: string, at: string): void;
}

/** The `backfills.request` JSON: the request without its chunks, plus where each group ends. */
export function backfillRequestJson(event: StoredBackfillRequestedEvent): string {
  const groupEnds: number[] = [];
  event.chunks.forEach((chunk, i) => {
    groupEnds[chunk.group] = i + 1;
  });
  return JSON.stringify({
    selection: event.selection,
    partitions: event.partitions,
    options: event.options ?? {},
    groupEnds,
  });
}

/** Applies one event's effect on the backfill ledger. */
export function applyEventToBackfillLedger(
  store: BackfillLedgerStore,
  event: StoredEvent,
  eventId: number,
): void {
  switch (event.type) {
    case 'backfill_requested': {
      const at = event.timestamp;
      store.insertBackfill(
        event.backfillId,
        eventId,
        at,
        backfillRequestJson(event),
        event.chunks.length,
      );
      let position = 0;
      event.chunks.forEach((chunk, index) => {
        for (const partitionKey of chunk.partitionKeys) {
          for (const assetKey of chunk.assetKeys) {
            store.insertRow(event.backfillId, assetKey, partitionKey, index, position++, at);
          }
        }
      });
      return;
    }
    case 'backfill_canceled':
      store.setCanceled(event.backfillId, true, event.timestamp);
      store.moveRows(event.backfillId, 'requested', 'canceled', event.timestamp);
      return;
    case 'backfill_resumed':
      store.setCanceled(event.backfillId, false, event.timestamp);
      store.moveRows(
        event.backfillId,
        event.retryFailed === true ? 'failed' : 'canceled',
        'requested',
        event.timestamp,
      );
      return;
    case 'run_queued': {
      if (event.backfillId === undefined) return;
      if (event.parentRunId !== undefined) {
        // An automatic retry or a re-execution takes over the rows its parent left failed or reopened.
        store.adoptFailedRows(event.parentRunId, event.runId, event.timestamp);
        return;
      }
      const chunk = Number(event.tags?.[BACKFILL_CHUNK_TAG]);
      if (!Number.isSafeInteger(chunk)) return;
      const attempt = Number(event.tags?.[BACKFILL_ATTEMPT_TAG] ?? 1);
      store.assignChunk(
        event.backfillId,
        chunk,
        event.runId,
        Number.isSafeInteger(attempt) ? attempt : 1,
        event.timestamp,
      );
      return;
    }
    case 'materialization': {
      if (event.runId === undefined) return;
      const backfillId = store.backfillOfRun(event.runId);
      if (backfillId === null) return;
      store.markMaterialized(
        backfillId,
        event.assetKey,
        event.partitionKey ?? '',
        event.runId,
        event.timestamp,
      );
      return;
    }
    case 'step_failed':
      // A step stopped by a cancel or a daemon stop leaves its rows to the run's end.
      if (event.error?.code === ABORTED || event.error?.code === INTERRUPTED) return;
      for (const assetKey of event.assetKeys) {
        store.endRunRow(event.runId, assetKey, event.partitionKey ?? '', 'failed', event.timestamp);
      }
      return;
    case 'run_finished':
      if (event.status === 'canceled' || event.error?.code === INTERRUPTED) {
        store.reopenRun(event.runId, event.timestamp);
      } else {
        store.endRun(event.runId, 'failed', event.timestamp);
      }
      return;
    case 'run_canceled':
      store.reopenRun(event.runId, event.timestamp);
      return;
    default:
      return;
  }
}
