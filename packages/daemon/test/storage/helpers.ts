import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { CairnDatabase } from '../../src/storage/schema.js';
import type { StoredEvent } from '../../src/storage/stored-event.js';

/** A fresh temp directory with a database path in it; `cleanup()` removes it. */
export function tempDb(name = 'cairn.db'): { dir: string; path: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-storage-'));
  return {
    dir,
    path: join(dir, name),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Every derived table's rows in a canonical order (zero counts dropped), to compare states. */
export async function dumpDerived(db: Kysely<CairnDatabase>): Promise<Record<string, unknown[]>> {
  return {
    runs: await db.selectFrom('runs').selectAll().orderBy('run_id').execute(),
    steps: await db.selectFrom('steps').selectAll().orderBy('run_id').orderBy('step_key').execute(),
    asset_partitions: await db
      .selectFrom('asset_partitions')
      .selectAll()
      .orderBy('asset_key')
      .orderBy('partition_key')
      .execute(),
    partition_ranges: await db
      .selectFrom('partition_ranges')
      .selectAll()
      .orderBy('asset_key')
      .orderBy('start_index')
      .execute(),
    asset_status_counts: await db
      .selectFrom('asset_status_counts')
      .selectAll()
      .where('count', '<>', 0)
      .orderBy('asset_key')
      .orderBy('status')
      .execute(),
    check_results: await db
      .selectFrom('check_results')
      .selectAll()
      .orderBy('check_id')
      .orderBy('partition_key')
      .execute(),
    dynamic_partitions: await db
      .selectFrom('dynamic_partitions')
      .selectAll()
      .orderBy('name')
      .orderBy('position')
      .execute(),
  };
}

/**
 * Checks the range invariant against the partition rows: each asset's ranges are exactly the
 * maximal runs of its non-missing indexed partitions, and counts are the ranges' lengths.
 * Returns a list of problems (empty when consistent).
 */
export async function rangeProblems(db: Kysely<CairnDatabase>): Promise<string[]> {
  const problems: string[] = [];
  const rows = await db
    .selectFrom('asset_partitions')
    .select(['asset_key', 'partition_index', 'status'])
    .where('partition_key', '<>', '')
    .where('partition_index', 'is not', null)
    .where('status', '<>', 'missing')
    .orderBy('asset_key')
    .orderBy('partition_index')
    .execute();
  const expected = new Map<string, { start: number; end: number; status: string }[]>();
  for (const r of rows) {
    const list = expected.get(r.asset_key) ?? [];
    expected.set(r.asset_key, list);
    const i = Number(r.partition_index);
    const last = list[list.length - 1];
    if (last !== undefined && last.end === i && last.status === r.status) last.end = i + 1;
    else list.push({ start: i, end: i + 1, status: r.status });
  }
  const ranges = await db
    .selectFrom('partition_ranges')
    .selectAll()
    .orderBy('asset_key')
    .orderBy('start_index')
    .execute();
  const actual = new Map<string, { start: number; end: number; status: string }[]>();
  for (const r of ranges) {
    const list = actual.get(r.asset_key) ?? [];
    actual.set(r.asset_key, list);
    list.push({ start: Number(r.start_index), end: Number(r.end_index), status: r.status });
  }
  const keys = new Set([...expected.keys(), ...actual.keys()]);
  for (const key of keys) {
    const e = JSON.stringify(expected.get(key) ?? []);
    const a = JSON.stringify(actual.get(key) ?? []);
    if (e !== a) problems.push(`ranges of ${key}: expected ${e}, got ${a}`);
  }
  const counts = await db.selectFrom('asset_status_counts').selectAll().execute();
  for (const key of keys) {
    for (const status of ['materialized', 'failed', 'in_progress']) {
      const want = (actual.get(key) ?? [])
        .filter((r) => r.status === status)
        .reduce((n, r) => n + r.end - r.start, 0);
      const got = Number(
        counts.find((c) => c.asset_key === key && c.status === status)?.count ?? 0,
      );
      if (want !== got) problems.push(`count ${key}/${status}: expected ${want}, got ${got}`);
    }
  }
  return problems;
}

let clock = Date.UTC(2024, 0, 1);

/** A strictly increasing ISO timestamp. */
export function ts(): string {
  clock += 1000;
  return new Date(clock).toISOString();
}

/** A materialization event of `assetKey` at partition index `i` (key `p<i>`). */
export function mat(assetKey: string, i: number, extra: Partial<StoredEvent> = {}): StoredEvent {
  return {
    type: 'materialization',
    runId: 'r1',
    stepKey: `${assetKey}[p${i}]`,
    assetKey,
    partitionKey: `p${i}`,
    partitionIndex: i,
    timestamp: ts(),
    dataVersion: `dv${i}`,
    metadata: {},
    inputDataVersions: {},
    depKeys: [],
    ...extra,
  } as StoredEvent;
}
