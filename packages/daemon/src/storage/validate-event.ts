import { DaemonError } from '../errors.js';
import type { StoredEvent, StoredEventType } from './stored-event.js';

/**
 * Checks, before an event joins a batch, the fields the storage relies on to file it: a known
 * type, a timestamp, and the keys its index updates need. Cheap (no JSON walk), because every
 * event of the hot path goes through it; a bad event is refused on its own instead of failing
 * the whole group commit it would have joined.
 */

const REQUIRED: Record<StoredEventType, readonly string[]> = {
  run_started: ['runId'],
  step_started: ['runId', 'stepKey'],
  materialization: ['assetKey'],
  check_evaluation: ['assetKey', 'checkId', 'checkName'],
  log: ['runId'],
  step_retry: ['runId', 'stepKey'],
  step_failed: ['runId', 'stepKey'],
  step_skipped: ['runId', 'stepKey'],
  run_finished: ['runId'],
  run_queued: ['runId'],
  run_canceled: ['runId'],
  asset_wiped: ['assetKey'],
  asset_observation: ['assetKey'],
  dynamic_partitions_added: ['name'],
  dynamic_partitions_removed: ['name'],
  backfill_requested: ['backfillId'],
  backfill_canceled: ['backfillId'],
  backfill_resumed: ['backfillId'],
};

const ARRAYS: Partial<Record<StoredEventType, string>> = {
  step_started: 'assetKeys',
  step_failed: 'assetKeys',
  step_skipped: 'assetKeys',
  dynamic_partitions_added: 'keys',
  dynamic_partitions_removed: 'keys',
  backfill_requested: 'chunks',
};

function invalid(event: unknown, position: number, problem: string): DaemonError {
  const type = (event as { type?: unknown } | null)?.type;
  return new DaemonError(
    'CAIRN_INVALID_EVENT',
    `Event #${position} (type ${JSON.stringify(type)}) cannot be stored: ${problem}. Fix the event; nothing of this append was stored.`,
    { position, type, problem },
  );
}

/** Throws CAIRN_INVALID_EVENT naming the first field that makes `event` unstorable. */
export function validateEvent(event: StoredEvent, position: number): void {
  if (typeof event !== 'object' || event === null) throw invalid(event, position, 'not an object');
  const record = event as unknown as Record<string, unknown>;
  const required = REQUIRED[event.type];
  if (required === undefined) {
    throw invalid(
      event,
      position,
      `unknown type; expected one of ${Object.keys(REQUIRED).join(', ')}`,
    );
  }
  if (typeof event.timestamp !== 'string' || event.timestamp === '') {
    throw invalid(event, position, 'missing "timestamp" (an ISO-8601 string)');
  }
  for (const field of required) {
    const value = record[field];
    if (typeof value !== 'string' || value === '') {
      throw invalid(event, position, `missing "${field}" (a non-empty string)`);
    }
  }
  const list = ARRAYS[event.type];
  if (list !== undefined && !Array.isArray(record[list])) {
    throw invalid(event, position, `missing "${list}" (an array of strings)`);
  }
  const partitionKey = record.partitionKey;
  if (partitionKey !== undefined && (typeof partitionKey !== 'string' || partitionKey === '')) {
    throw invalid(event, position, '"partitionKey" must be a non-empty string when present');
  }
  const index = record.partitionIndex;
  if (index !== undefined && !(Number.isSafeInteger(index) && (index as number) >= 0)) {
    throw invalid(
      event,
      position,
      `"partitionIndex" must be a non-negative integer, got ${String(index)}`,
    );
  }
  switch (event.type) {
    case 'asset_wiped':
      if (event.partitionKeys !== undefined && !Array.isArray(event.partitionKeys)) {
        throw invalid(event, position, '"partitionKeys" must be an array of strings when present');
      }
      break;
    case 'run_finished':
      if (!RUN_END.has(event.status)) {
        throw invalid(
          event,
          position,
          `"status" must be success, failure or canceled, got ${JSON.stringify(event.status)}`,
        );
      }
      break;
    case 'run_queued':
      if (typeof event.selection !== 'string' && !Array.isArray(event.selection)) {
        throw invalid(event, position, 'missing "selection" (a selection string or asset keys)');
      }
      break;
    case 'check_evaluation':
      if (typeof event.passed !== 'boolean') {
        throw invalid(event, position, '"passed" must be a boolean');
      }
      break;
  }
}

const RUN_END = new Set<string>(['success', 'failure', 'canceled']);
