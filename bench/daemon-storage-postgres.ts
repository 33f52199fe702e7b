/**
 * Daemon storage benchmarks on Postgres beside SQLite (the same workload as daemon-storage.ts):
 * 1. ingest materialization events through `Storage.append` (validation, group commit, event
 *    rows and every index update), on Postgres and on SQLite: events/s and the ratio;
 * 2. partition status of an asset with 1,000,000 partitions in ~20,000 alternating ranges on
 *    Postgres: the first page of ranges plus the counts, and a filtered page from the middle.
 * Postgres: CAIRN_BENCH_DATABASE_URL, else CAIRN_TEST_DATABASE_URL, else
 * postgres://postgres@127.0.0.1:5432/test; a scratch database is created and dropped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type OpenStorageOptions, openStorage } from '../packages/daemon/src/storage/storage.js';
import type {
  StoredEvent,
  StoredMaterializationEvent,
} from '../packages/daemon/src/storage/stored-event.js';
import { type BenchFigure, median } from './harness.js';

/** Events ingested on each dialect (Postgres round trips make 1,000,000 take minutes). */
const N_INGEST = Number(process.env.CAIRN_BENCH_PG_EVENTS ?? 200_000);
/** Partitions of the status-page asset. */
const N_PARTITIONS = Number(process.env.CAIRN_BENCH_PG_PARTITIONS ?? 1_000_000);
const CHUNK = 10_000;
const APPEND_SIZE = 500;
const T0 = Date.UTC(2024, 0, 1);

const URL_ =
  process.env.CAIRN_BENCH_DATABASE_URL ??
  process.env.CAIRN_TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/test';

function materialization(asset: string, i: number): StoredMaterializationEvent {
  return {
    type: 'materialization',
    runId: `run-${Math.floor(i / 1000)}`,
    stepKey: `${asset}[${i}]`,
    assetKey: asset,
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

/** Appends `n` materializations of `asset` as the daemon would (many appends per tick). */
async function ingest(options: OpenStorageOptions, asset: string, n: number): Promise<number> {
  const storage = await openStorage(options);
  const t0 = performance.now();
  for (let start = 0; start < n; start += CHUNK) {
    const appends: Promise<number[]>[] = [];
    for (let s = start; s < Math.min(n, start + CHUNK); s += APPEND_SIZE) {
      const events: StoredEvent[] = [];
      for (let i = s; i < Math.min(n, s + APPEND_SIZE); i++) events.push(materialization(asset, i));
      appends.push(storage.append(events));
    }
    await Promise.all(appends);
  }
  const ms = performance.now() - t0;
  await storage.close();
  return ms;
}

async function partitionStatusFigures(options: OpenStorageOptions): Promise<BenchFigure[]> {
  const asset = 'bench/status';
  await ingest(options, asset, N_PARTITIONS);
  const storage = await openStorage(options);
  const events: StoredEvent[] = [];
  for (let i = 0; i < N_PARTITIONS; i += 100) {
    const at = new Date(T0 + N_PARTITIONS + i).toISOString();
    const common = { runId: 'mixed', stepKey: `s${i}`, assetKeys: [asset], timestamp: at };
    events.push(
      (i / 100) % 2 === 0
        ? { type: 'step_started', ...common, partitionKey: String(i), partitionIndex: i }
        : {
            type: 'step_failed',
            ...common,
            partitionKey: String(i),
            partitionIndex: i,
            attempts: 1,
            error: { name: 'Error', message: 'boom' },
          },
    );
  }
  await storage.append(events);
  const first = await storage.getPartitionStatus(asset, { totalPartitions: N_PARTITIONS });
  const times: number[] = [];
  const filtered: number[] = [];
  for (let r = 0; r < 20; r++) {
    let t0 = performance.now();
    await storage.getPartitionStatus(asset, { limit: 1000, totalPartitions: N_PARTITIONS });
    times.push(performance.now() - t0);
    t0 = performance.now();
    await storage.getPartitionStatus(asset, {
      status: 'failed',
      fromIndex: N_PARTITIONS / 2,
      limit: 1000,
    });
    filtered.push(performance.now() - t0);
  }
  await storage.close();
  const c = first.counts;
  const note = `${first.ranges.length}+ ranges in page; counts m=${c.materialized} f=${c.failed} ip=${c.in_progress} missing=${c.missing}`;
  return [
    {
      name: 'postgres: partition status, 1M partitions: first page (1000 ranges) + counts',
      value: median(times),
      unit: 'ms',
      target: 50,
      note,
    },
    {
      name: 'postgres: partition status, 1M partitions: page of failed ranges from the middle',
      value: median(filtered),
      unit: 'ms',
      target: 50,
    },
  ];
}

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: URL_, connectionTimeoutMillis: 3000 });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** Runs the Postgres storage benchmarks (none, with a warning, when Postgres is unreachable). */
export async function run(): Promise<BenchFigure[]> {
  const database = `cairn_bench_${process.pid}`;
  try {
    await admin(
      `create database ${database} template template0 encoding 'UTF8' lc_collate 'C' lc_ctype 'C'`,
    );
  } catch (err) {
    console.warn(`daemon-storage-postgres: skipped, cannot use ${URL_}: ${String(err)}`);
    return [];
  }
  const u = new URL(URL_);
  u.pathname = `/${database}`;
  const pgOptions: OpenStorageOptions = { databaseUrl: u.toString() };
  const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-pg-'));
  try {
    const sqliteMs = await ingest({ path: join(dir, 'cairn.db') }, 'bench/events', N_INGEST);
    const pgMs = await ingest(pgOptions, 'bench/events', N_INGEST);
    const status = await partitionStatusFigures(pgOptions);
    const k = `${N_INGEST / 1000}k`;
    return [
      {
        name: `ingest ${k} materializations: SQLite Storage.append`,
        value: N_INGEST / (sqliteMs / 1000),
        unit: 'events/s',
        note: `${Math.round(sqliteMs)} ms`,
      },
      {
        name: `ingest ${k} materializations: Postgres Storage.append (group commit + indexes)`,
        value: N_INGEST / (pgMs / 1000),
        unit: 'events/s',
        note: `${Math.round(pgMs)} ms`,
      },
      {
        name: 'ingest: Postgres time / SQLite time',
        value: pgMs / sqliteMs,
        unit: 'ratio',
      },
      ...status,
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await admin(`drop database if exists ${database} with (force)`).catch(() => undefined);
  }
}

// `npx tsx bench/daemon-storage-postgres.ts` runs this part alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  for (const f of await run()) console.log(f);
}
