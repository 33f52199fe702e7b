import type { BackfillRequest, LaunchRequest } from '../api/api-types.js';

/** What the Materialize dialog was asked to do. */
export type MaterializeChoice =
  | { mode: 'whole' }
  | { mode: 'key'; key: string }
  | { mode: 'range'; from: string; to: string; count: number | null }
  | { mode: 'missing'; count: number }
  | { mode: 'failed'; count: number }
  | { mode: 'stale'; keys: string[] };

/** The request the dialog will send and how many runs it creates. */
export interface MaterializePlan {
  /** Runs it creates (one per partition with the default backfill policy); null when unknown. */
  runs: number | null;
  /** Where it goes: POST /api/runs or POST /api/backfills. */
  target: 'runs' | 'backfills';
  body: LaunchRequest | BackfillRequest;
  /** Why it cannot be sent yet, if so. */
  blocked?: string;
}

/**
 * Turns a dialog choice into one API request and the number of runs it will create: one run for an
 * unpartitioned asset or one key; one per partition otherwise (the daemon's default backfill
 * policy, `multi-run`). "Missing" and "failed" go to POST /api/backfills, which resolves them on the
 * daemon at request time, so nothing that changed since the page loaded is missed.
 */
export function materializePlan(selection: string[], choice: MaterializeChoice): MaterializePlan {
  switch (choice.mode) {
    case 'whole':
      return { runs: 1, target: 'runs', body: { selection } };
    case 'key':
      return {
        runs: 1,
        target: 'runs',
        body: { selection, partitions: { keys: [choice.key] } },
        ...(choice.key.trim() === '' ? { blocked: 'Pick a partition key.' } : {}),
      };
    case 'range': {
      const blocked =
        choice.from === '' || choice.to === ''
          ? 'Give the first and the last partition key of the range.'
          : choice.count === 0
            ? `No partitions between ${choice.from} and ${choice.to}; is the first key before the last?`
            : undefined;
      return {
        runs: choice.count,
        target: 'runs',
        body: { selection, partitions: { range: { from: choice.from, to: choice.to } } },
        ...(blocked === undefined ? {} : { blocked }),
      };
    }
    case 'missing':
    case 'failed':
      return {
        runs: choice.count,
        target: 'backfills',
        body: {
          selection,
          partitions: choice.mode === 'missing' ? { missing: true } : { failed: true },
        },
        ...(choice.count === 0 ? { blocked: `No ${choice.mode} partitions.` } : {}),
      };
    case 'stale':
      return {
        runs: choice.keys.length,
        target: 'runs',
        body: { selection, partitions: { keys: choice.keys } },
        ...(choice.keys.length === 0 ? { blocked: 'No stale partitions.' } : {}),
      };
  }
}

/**
 * The index of partition `key` by binary search over `keyAt` (one API call per probe: ~20 for a
 * million partitions), for partitions whose keys sort like their order (time windows, and
 * date-first multi-partitions). Returns -1 when the key is not a partition.
 */
export async function findPartitionIndex(
  key: string,
  total: number,
  keyAt: (index: number) => Promise<string | null>,
): Promise<number> {
  let lo = 0;
  let hi = total - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const k = await keyAt(mid);
    if (k === null) return -1;
    if (k === key) return mid;
    if (k < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
