/**
 * Daemon storage benchmarks (SQLite, temp files):
 * 1. ingest 1,000,000 materialization events through `Storage.append` (validation, group commit,
 *    event rows and every index update) vs the same rows written with raw better-sqlite3
 *    prepared statements in one transaction (same event rows, same index row writes, with the
 *    range bounds computed arithmetically instead of looked up);
 * 2. partition status of an asset with 1,000,000 partitions in ~20,000 alternating ranges: the
 *    first page of ranges plus the per-status counts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { INSERT_EVENT_SQL } from '../packages/daemon/src/storage/sqlite/sqlite-event-writer.js';
import { SQLITE_INDEX_SQL } from '../packages/daemon/src/storage/sqlite/sqlite-index-store.js';
import { openStorage } from '../packages/daemon/src/storage/storage.js';
import type {
  StoredEvent,
  StoredMaterializationEvent,
} from '../packages/daemon/src/storage/stored-event.js';
import { type BenchFigure, median } from './harness.js';

const N = 1_000_000;
const CHUNK = 10_000;
const APPEND_SIZE = 500;
const ASSET = 'bench/events';
const T0 = Date.UTC(2024, 0, 1);

/** Event `i`: partition `i` of one asset, computed by run `i / 1000`. */
function materialization(i: number): StoredMaterializationEvent {
  const runId = `run-${Math.floor(i / 1000)}`;
  return {
    type: 'materialization',
    runId,
    stepKey: `${ASSET}[${i}]`,
    assetKey: ASSET,
    partitionKey: String(i),
    partitionIndex: i,
    timestamp: new Date(T0 + i).toISOString(),
    metadata: { rows: i },
    dataVersion: `dv${i}`,
    codeVersion: 'v1',
    inputDataVersions: {},
    depKeys: [],
  };
}

async function ingestThroughStorage(path: string): Promise<number> {
  const storage = await openStorage({ path });
  const t0 = performance.now();
  for (let start = 0; start < N; start += CHUNK) {
    const appends: Promise<number[]>[] = [];
    for (let s = start; s < start + CHUNK; s += APPEND_SIZE) {
      const events: StoredEvent[] = [];
      for (let i = s; i < s + APPEND_SIZE; i++) events.push(materialization(i));
      appends.push(storage.append(events));
    }
    await Promise.all(appends);
  }
  const ms = performance.now() - t0;
  await storage.close();
  return ms;
}

async function ingestRaw(path: string): Promise<number> {
  // The same schema, created by the storage's migrations; then raw statements only.
  await (await openStorage({ path })).close();
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const insert = db.prepare(INSERT_EVENT_SQL);
  const upsertPartition = db.prepare(SQLITE_INDEX_SQL.markMaterialized);
  const countStep = db.prepare(SQLITE_INDEX_SQL.countStepMaterialization);
  const upsertRange = db.prepare(SQLITE_INDEX_SQL.upsertRange);
  const addCount = db.prepare(SQLITE_INDEX_SQL.addCount);
  const t0 = performance.now();
  db.transaction(() => {
    for (let i = 0; i < N; i++) {
      const e = materialization(i);
      const id = Number(
        insert.run(
          e.type,
          e.runId,
          e.assetKey,
          e.partitionKey,
          e.stepKey,
          e.timestamp,
          JSON.stringify(e),
        ).lastInsertRowid,
      );
      upsertPartition.get(
        e.assetKey,
        e.partitionKey,
        e.partitionIndex,
        id,
        e.dataVersion,
        e.codeVersion,
        e.runId,
        e.timestamp,
      );
      countStep.run(e.timestamp, e.runId, e.stepKey);
      upsertRange.run(e.assetKey, 0, i + 1, 'materialized');
      addCount.run(e.assetKey, 'materialized', 1);
    }
  })();
  const ms = performance.now() - t0;
  db.close();
  return ms;
}

/** Splits the 1,000,000 materialized partitions into ~20,000 ranges of three statuses. */
async function partitionStatusFigures(path: string): Promise<BenchFigure[]> {
  const storage = await openStorage({ path });
  const events: StoredEvent[] = [];
  for (let i = 0; i < N; i += 100) {
    const at = new Date(T0 + N + i).toISOString();
    const common = { runId: 'mixed', stepKey: `s${i}`, assetKeys: [ASSET], timestamp: at };
    if ((i / 100) % 2 === 0) {
      events.push({ type: 'step_started', ...common, partitionKey: String(i), partitionIndex: i });
    } else {
      events.push({
        type: 'step_failed',
        ...common,
        partitionKey: String(i),
        partitionIndex: i,
        attempts: 1,
        error: { name: 'Error', message: 'boom' },
      });
    }
  }
  await storage.append(events);
  const first = await storage.getPartitionStatus(ASSET, { totalPartitions: N });
  const times: number[] = [];
  const filtered: number[] = [];
  for (let r = 0; r < 20; r++) {
    let t0 = performance.now();
    await storage.getPartitionStatus(ASSET, { limit: 1000, totalPartitions: N });
    times.push(performance.now() - t0);
    t0 = performance.now();
    await storage.getPartitionStatus(ASSET, { status: 'failed', fromIndex: N / 2, limit: 1000 });
    filtered.push(performance.now() - t0);
  }
  const ranges = await storage.db
    .selectFrom('partition_ranges')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('asset_key', '=', ASSET)
    .executeTakeFirstOrThrow();
  await storage.close();
  const c = first.counts;
  const note = `${Number(ranges.n)} ranges; counts m=${c.materialized} f=${c.failed} ip=${c.in_progress} missing=${c.missing}`;
  return [
    {
      name: 'partition status, 1M partitions: first page (1000 ranges) + counts',
      value: median(times),
      unit: 'ms',
      target: 50,
      note,
    },
    {
      name: 'partition status, 1M partitions: page of failed ranges from the middle',
      value: median(filtered),
      unit: 'ms',
      target: 50,
    },
  ];
}

/** Runs the storage benchmarks. */
export async function run(): Promise<BenchFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-storage-'));
  try {
    const rawMs = await ingestRaw(join(dir, 'raw.db'));
    const storageMs = await ingestThroughStorage(join(dir, 'storage.db'));
    const status = await partitionStatusFigures(join(dir, 'storage.db'));
    return [
      {
        name: 'ingest 1M materializations: raw better-sqlite3, one transaction',
        value: rawMs,
        unit: 'ms',
        note: `${Math.round(N / (rawMs / 1000))} events/s`,
      },
      {
        name: 'ingest 1M materializations: Storage.append (group commit + indexes)',
        value: storageMs,
        unit: 'ms',
        note: `${Math.round(N / (storageMs / 1000))} events/s`,
      },
      {
        name: 'ingest: Storage.append / raw statements',
        value: storageMs / rawMs,
        unit: 'ratio',
        target: 1.5,
      },
      {
        name: 'ingest throughput through Storage.append',
        value: N / (storageMs / 1000),
        unit: 'events/s',
      },
      ...status,
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// `npx tsx bench/daemon-storage.ts` runs this part alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  for (const f of await run()) console.log(f);
}
