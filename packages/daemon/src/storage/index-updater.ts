import { applyEventToBackfillLedger } from './backfill-ledger.js';
import type { IndexStore } from './index-store.js';
import { type PartitionRange, planStatusChange, type RangeLookup } from './partition-ranges.js';
import type { PartitionRowStatus, PartitionStatus, RunStatus } from './schema.js';
import type { StoredEvent } from './stored-event.js';

/**
 * What each event does to the derived indexes. The same function runs inside the append
 * transaction (incremental) and over the whole log in `rebuildIndexes()` (replay), which is what
 * makes "incremental indexes == rebuilt indexes" hold by construction.
 *
 * Partition status transitions: step_started → in_progress (remembering the previous status);
 * materialization → materialized; step_failed → failed, except a step stopped because its run was
 * canceled (`CAIRN_RUN_ABORTED`), which, like step_skipped, returns the partition to its previous
 * status; run_finished / run_canceled return whatever the run still has in progress to its
 * previous status (so a canceled or crashed run never leaves stale in_progress partitions);
 * asset_wiped → missing. Observations change the data version, never the status.
 */

const ABORTED = 'CAIRN_RUN_ABORTED';

/** Applies the effect of one event (already inserted with id `eventId`) to the indexes. */
export function applyEventToIndexes(store: IndexStore, event: StoredEvent, eventId: number): void {
  applyRunAndAssetEvent(store, event, eventId);
  // After the runs row exists (run_queued), so the ledger can find a run's backfill.
  applyEventToBackfillLedger(store.backfills, event, eventId);
}

function applyRunAndAssetEvent(store: IndexStore, event: StoredEvent, eventId: number): void {
  switch (event.type) {
    case 'run_queued':
      store.insertQueuedRun({
        runId: event.runId,
        eventId,
        backfillId: event.backfillId ?? null,
        idempotencyKey: event.idempotencyKey ?? null,
        priority: event.priority ?? 0,
        tags: JSON.stringify(event.tags ?? {}),
        selection: JSON.stringify(event.selection),
        partitionKeys:
          event.partitionKeys === undefined ? null : JSON.stringify(event.partitionKeys),
        partitionRange:
          event.partitionRange === undefined ? null : JSON.stringify(event.partitionRange),
        queuedAt: event.timestamp,
      });
      return;
    case 'run_started':
      store.startRun(event.runId, JSON.stringify(event.stepKeys ?? []), event.timestamp, eventId);
      return;
    case 'step_started': {
      const pk = event.partitionKey ?? '';
      store.startStep(
        event.runId,
        event.stepKey,
        JSON.stringify(event.assetKeys),
        event.partitionKey ?? null,
        event.timestamp,
      );
      for (const assetKey of event.assetKeys) {
        const index = store.markInProgress(
          assetKey,
          pk,
          event.partitionIndex ?? null,
          event.runId,
          event.timestamp,
        );
        if (pk !== '' && index !== null) setStatus(store, assetKey, index, 'in_progress');
      }
      return;
    }
    case 'materialization': {
      const pk = event.partitionKey ?? '';
      const index = store.markMaterialized(
        event.assetKey,
        pk,
        event.partitionIndex ?? null,
        eventId,
        event.dataVersion ?? null,
        event.codeVersion ?? null,
        event.runId ?? null,
        event.timestamp,
      );
      if (pk !== '' && index !== null) setStatus(store, event.assetKey, index, 'materialized');
      if (event.runId !== undefined && event.stepKey !== undefined) {
        store.countStepMaterialization(event.runId, event.stepKey, event.timestamp);
      }
      return;
    }
    case 'check_evaluation':
      store.upsertCheckResult({
        checkId: event.checkId,
        partitionKey: event.partitionKey ?? '',
        assetKey: event.assetKey,
        checkName: event.checkName,
        eventId,
        runId: event.runId ?? null,
        passed: event.passed === true,
        severity: event.severity,
        blocking: event.blocking === true,
        timestamp: event.timestamp,
      });
      return;
    case 'step_retry':
      store.retryStep(event.runId, event.stepKey, event.attempt);
      return;
    case 'step_failed': {
      const aborted = event.error?.code === ABORTED;
      store.endStep(
        event.runId,
        event.stepKey,
        aborted ? 'canceled' : 'failed',
        JSON.stringify(event.assetKeys),
        event.partitionKey ?? null,
        event.timestamp,
        JSON.stringify(event.error ?? null),
        event.attempts ?? null,
      );
      const pk = event.partitionKey ?? '';
      for (const assetKey of event.assetKeys) {
        if (aborted) {
          revertIfInProgress(store, assetKey, pk, event.runId, event.timestamp);
          continue;
        }
        const index = store.markFailed(
          assetKey,
          pk,
          event.partitionIndex ?? null,
          event.runId,
          event.timestamp,
        );
        if (pk !== '' && index !== null) setStatus(store, assetKey, index, 'failed');
      }
      return;
    }
    case 'step_skipped': {
      store.endStep(
        event.runId,
        event.stepKey,
        'skipped',
        JSON.stringify(event.assetKeys),
        event.partitionKey ?? null,
        event.timestamp,
        null,
        null,
      );
      const pk = event.partitionKey ?? '';
      for (const assetKey of event.assetKeys) {
        revertIfInProgress(store, assetKey, pk, event.runId, event.timestamp);
      }
      return;
    }
    case 'run_finished': {
      const status: RunStatus = event.status;
      store.finishRun(
        event.runId,
        status,
        event.timestamp,
        event.counts === undefined ? null : JSON.stringify(event.counts),
        event.durationMs ?? null,
        eventId,
      );
      endRun(store, event.runId, event.timestamp, status);
      return;
    }
    case 'run_canceled':
      store.cancelRun(event.runId, event.timestamp, eventId);
      endRun(store, event.runId, event.timestamp, 'canceled');
      return;
    case 'asset_wiped':
      if (event.partitionKeys === undefined) {
        store.deleteAsset(event.assetKey);
        return;
      }
      for (const pk of event.partitionKeys) {
        const row = store.getPartition(event.assetKey, pk);
        if (row === undefined) continue;
        store.deletePartition(event.assetKey, pk);
        if (pk !== '' && row.partitionIndex !== null) {
          setStatus(store, event.assetKey, row.partitionIndex, null);
        }
      }
      return;
    case 'asset_observation':
      store.markObserved(
        event.assetKey,
        event.partitionKey ?? '',
        event.partitionIndex ?? null,
        eventId,
        event.dataVersion ?? null,
        event.timestamp,
      );
      return;
    case 'dynamic_partitions_added':
      for (const key of event.keys) store.addDynamicKey(event.name, key);
      return;
    case 'dynamic_partitions_removed':
      for (const key of event.keys) store.removeDynamicKey(event.name, key);
      return;
    case 'log':
    case 'backfill_requested':
    case 'backfill_canceled':
    case 'backfill_resumed':
      return;
  }
}

/** The status a partition row's status maps to in the ranges (`missing` has no range). */
function rangeStatus(status: PartitionRowStatus | null): PartitionStatus | null {
  return status === null || status === 'missing' ? null : status;
}

function endRun(store: IndexStore, runId: string, at: string, status: RunStatus): void {
  for (const p of store.inProgressOfRun(runId)) {
    store.revertPartition(p.assetKey, p.partitionKey, at);
    if (p.partitionKey !== '' && p.partitionIndex !== null) {
      setStatus(store, p.assetKey, p.partitionIndex, rangeStatus(p.prevStatus));
    }
  }
  store.closeOpenSteps(runId, at, status);
}

function revertIfInProgress(
  store: IndexStore,
  assetKey: string,
  partitionKey: string,
  runId: string,
  at: string,
): void {
  const row = store.getPartition(assetKey, partitionKey);
  if (row === undefined || row.status !== 'in_progress' || row.runId !== runId) return;
  store.revertPartition(assetKey, partitionKey, at);
  if (partitionKey !== '' && row.partitionIndex !== null) {
    setStatus(store, assetKey, row.partitionIndex, rangeStatus(row.prevStatus));
  }
}

/** Sets the ranged status of one partition (`null` = missing) and updates the counts. */
export function setStatus(
  store: IndexStore,
  assetKey: string,
  index: number,
  next: PartitionStatus | null,
): void {
  const lookup: RangeLookup = {
    floor: (i: number): PartitionRange | undefined => store.floorRange(assetKey, i),
    startingAt: (i: number): PartitionRange | undefined => store.rangeStartingAt(assetKey, i),
  };
  const change = planStatusChange(lookup, index, next);
  if (change === undefined) return;
  for (const start of change.deletes) store.deleteRange(assetKey, start);
  for (const range of change.upserts) store.upsertRange(assetKey, range);
  for (const [status, delta] of change.counts) store.addCount(assetKey, status, delta);
}
