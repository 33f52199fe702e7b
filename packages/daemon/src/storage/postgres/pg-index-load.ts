import type pg from 'pg';
import type { PartitionRange } from '../partition-ranges.js';
import type { StoredEvent } from '../stored-event.js';
import {
  type MissRequest,
  type PartitionRow,
  type PgIndexSnapshot,
  partKey,
  type RunRow,
  type StepRow,
} from './pg-index-snapshot.js';
import { lit } from './pg-literal.js';
import { runStatements } from './pg-statements.js';

/**
 * Reading a batch's working set into a `PgIndexSnapshot`: the partition rows, runs and steps its
 * events name and the ranges around their indexes, in a few queries whatever the batch size;
 * then, on a miss, exactly what was missing.
 */

/** What a batch will read, from its events. */
interface BatchNeeds {
  parts: Map<string, [string, string]>;
  inProgress: Set<string>;
  runs: Set<string>;
  steps: Set<string>;
  indexes: Map<string, number[]>;
}

function needsOf(events: readonly StoredEvent[]): BatchNeeds {
  const n: BatchNeeds = {
    parts: new Map(),
    inProgress: new Set(),
    runs: new Set(),
    steps: new Set(),
    indexes: new Map(),
  };
  const part = (assetKey: string, pk: string | undefined, index?: number) => {
    n.parts.set(partKey(assetKey, pk ?? ''), [assetKey, pk ?? '']);
    if (index !== undefined) {
      const list = n.indexes.get(assetKey);
      if (list === undefined) n.indexes.set(assetKey, [index]);
      else list.push(index);
    }
  };
  for (const e of events) {
    switch (e.type) {
      case 'run_queued':
      case 'run_started':
        n.runs.add(e.runId);
        break;
      case 'run_finished':
      case 'run_canceled':
        n.runs.add(e.runId);
        n.inProgress.add(e.runId);
        n.steps.add(e.runId);
        break;
      case 'step_started':
      case 'step_failed':
      case 'step_skipped':
        n.steps.add(e.runId);
        for (const a of e.assetKeys) part(a, e.partitionKey, e.partitionIndex);
        break;
      case 'step_retry':
        n.steps.add(e.runId);
        break;
      case 'materialization':
        part(e.assetKey, e.partitionKey, e.partitionIndex);
        if (e.runId !== undefined) {
          n.runs.add(e.runId);
          if (e.stepKey !== undefined) n.steps.add(e.runId);
        }
        break;
      case 'asset_observation':
        part(e.assetKey, e.partitionKey, e.partitionIndex);
        break;
      case 'asset_wiped':
        for (const pk of e.partitionKeys ?? []) part(e.assetKey, pk);
        break;
      default:
        break;
    }
  }
  return n;
}

/** Loads what `events` will read (partitions, runs, steps, then the ranges around their indexes). */
export async function loadForBatch(
  client: pg.ClientBase,
  snap: PgIndexSnapshot,
  events: readonly StoredEvent[],
): Promise<void> {
  const n = needsOf(events);
  // Arrays joined with unnest: an index lookup per key (a long IN list of row values would make
  // Postgres compare every row with every key).
  if (n.parts.size > 0) {
    const keys = [...n.parts.values()];
    const { rows } = await client.query(
      `select p.* from asset_partitions p join unnest($1::text[], $2::text[]) as k(a, pk)
         on p.asset_key = k.a and p.partition_key = k.pk`,
      [keys.map((k) => k[0]), keys.map((k) => k[1])],
    );
    for (const r of rows) snap.addPartition(r as PartitionRow);
  }
  if (n.inProgress.size > 0) {
    const { rows } = await client.query(
      `select * from asset_partitions where status = 'in_progress' and run_id = any($1::text[])`,
      [[...n.inProgress]],
    );
    for (const r of rows) snap.addPartition(r as PartitionRow);
  }
  if (n.runs.size > 0) {
    const { rows } = await client.query('select * from runs where run_id = any($1::text[])', [
      [...n.runs],
    ]);
    for (const r of rows) snap.runs.set(String(r.run_id), r as RunRow);
  }
  if (n.steps.size > 0) {
    const { rows } = await client.query('select * from steps where run_id = any($1::text[])', [
      [...n.steps],
    ]);
    for (const r of rows) stepsOf(snap, String(r.run_id)).set(String(r.step_key), r as StepRow);
  }
  for (const key of n.parts.keys()) if (!snap.parts.has(key)) snap.parts.set(key, null);
  for (const runId of n.runs) if (!snap.runs.has(runId)) snap.runs.set(runId, null);
  for (const runId of n.steps) stepsOf(snap, runId);
  for (const runId of n.inProgress) snap.inProgressRuns.add(runId);

  // The ranges around every index the batch may change: the given ones and the stored ones.
  for (const row of snap.parts.values()) {
    if (row?.partition_index == null) continue;
    const list = n.indexes.get(row.asset_key);
    if (list === undefined) n.indexes.set(row.asset_key, [row.partition_index]);
    else list.push(row.partition_index);
  }
  const wanted: [string, number, number][] = [];
  for (const [assetKey, list] of n.indexes) {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const i of list) {
      if (i < min) min = i;
      if (i > max) max = i;
    }
    // planStatusChange looks at index - 1 (merge left) and index + 1 (merge right).
    wanted.push([assetKey, Math.max(0, min - 1), max + 1]);
  }
  await loadRanges(client, snap, wanted);
}

function stepsOf(snap: PgIndexSnapshot, runId: string): Map<string, StepRow> {
  let m = snap.steps.get(runId);
  if (m === undefined) {
    m = new Map();
    snap.steps.set(runId, m);
  }
  return m;
}

/** Loads every stored range of each asset starting in [floor(min), max], replacing its coverage. */
async function loadRanges(
  client: pg.ClientBase,
  snap: PgIndexSnapshot,
  wanted: readonly [string, number, number][],
): Promise<void> {
  if (wanted.length === 0) return;
  const statements = wanted.map(([assetKey, min, max]) => {
    const a = lit(assetKey);
    return `(select start_index, end_index, status from partition_ranges where asset_key = ${a}
        and start_index <= ${lit(min)} order by start_index desc limit 1)
      union all (select start_index, end_index, status from partition_ranges where asset_key = ${a}
        and start_index > ${lit(min)} and start_index <= ${lit(max)})`;
  });
  const results = await runStatements(client, statements);
  wanted.forEach(([assetKey, min, max], i) => {
    const byStart = new Map<number, PartitionRange>();
    let lo = 0;
    for (const r of results[i] ?? []) {
      const range: PartitionRange = {
        startIndex: Number(r.start_index),
        endIndex: Number(r.end_index),
        status: r.status as PartitionRange['status'],
      };
      byStart.set(range.startIndex, range);
      if (range.startIndex <= min) lo = range.startIndex;
    }
    snap.ranges.set(assetKey, { lo, hi: max, byStart });
  });
}

/** Loads what one miss asked for. */
export async function loadMiss(
  client: pg.ClientBase,
  snap: PgIndexSnapshot,
  req: MissRequest,
): Promise<void> {
  switch (req.kind) {
    case 'partition': {
      const { rows } = await client.query(
        'select * from asset_partitions where asset_key = $1 and partition_key = $2',
        [req.assetKey, req.partitionKey],
      );
      const row = rows[0] as PartitionRow | undefined;
      if (row === undefined) snap.parts.set(partKey(req.assetKey, req.partitionKey), null);
      else snap.addPartition(row);
      return;
    }
    case 'inProgress': {
      const { rows } = await client.query(
        `select * from asset_partitions where status = 'in_progress' and run_id = $1`,
        [req.runId],
      );
      for (const r of rows) snap.addPartition(r as PartitionRow);
      snap.inProgressRuns.add(req.runId);
      return;
    }
    case 'run': {
      const { rows } = await client.query('select * from runs where run_id = $1', [req.runId]);
      snap.runs.set(req.runId, (rows[0] as RunRow | undefined) ?? null);
      return;
    }
    case 'steps': {
      const { rows } = await client.query('select * from steps where run_id = $1', [req.runId]);
      const m = stepsOf(snap, req.runId);
      for (const r of rows) m.set(String(r.step_key), r as StepRow);
      return;
    }
    case 'ranges': {
      const cov = snap.ranges.get(req.assetKey);
      const min = Math.max(0, cov === undefined ? req.index - 1 : Math.min(cov.lo, req.index));
      const max = cov === undefined ? req.index + 1 : Math.max(cov.hi, req.index);
      await loadRanges(client, snap, [[req.assetKey, min, max]]);
      return;
    }
  }
}
