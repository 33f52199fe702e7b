import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { BackfillState, BackfillStatus } from '../../src/backfills/index.js';
import { createDaemon, type Daemon, type DaemonOptions } from '../../src/daemon.js';
import type { CairnDatabase } from '../../src/storage/index.js';
import { inProcessPool } from '../runs/in-process-pool.js';
import defs from './fixtures/backfill-defs.js';

/** A fresh temp home that the fixture writes its side effects into. */
export function tempHome(): { home: string; cleanup(): void } {
  const home = mkdtempSync(join(tmpdir(), 'cairn-backfills-'));
  process.env.CAIRN_BACKFILL_FIXTURE_DIR = home;
  return { home, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

/** A daemon (real coordinator and storage, in-process pool on core's engine) on `home`. */
export async function backfillDaemon(
  home: string,
  options: Partial<DaemonOptions> & { poolSize?: number } = {},
): Promise<Daemon> {
  const { poolSize, ...rest } = options;
  return createDaemon({
    definitions: defs,
    home,
    workerPool: inProcessPool(defs, home, poolSize ?? 4),
    ...rest,
  });
}

const DONE: readonly BackfillState[] = ['completed', 'failed', 'canceled'];

/** Polls until the backfill reaches `states` (default: a final state); fails after `timeoutMs`. */
export async function waitForBackfill(
  daemon: Daemon,
  backfillId: string,
  states: readonly BackfillState[] = DONE,
  timeoutMs = 15_000,
): Promise<BackfillStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await daemon.backfills.get(backfillId);
    if (status !== undefined && states.includes(status.state)) return status;
    if (Date.now() > deadline) {
      throw new Error(
        `backfill ${backfillId} did not reach ${states.join('/')}: ${JSON.stringify(status)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Polls until `predicate` holds; fails after `timeoutMs`. */
export async function waitUntil(predicate: () => Promise<boolean> | boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The fixture's computations: `[asset, partition]` per call, in order. */
export function calls(home: string): [string, string][] {
  const file = join(home, 'calls.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(' ').slice(0, 2) as [string, string]);
}

/** Both ledger tables in a canonical order, to compare incremental and rebuilt ledgers. */
export async function dumpLedger(db: Kysely<CairnDatabase>) {
  return {
    backfills: await db.selectFrom('backfills').selectAll().orderBy('backfill_id').execute(),
    rows: await db
      .selectFrom('backfill_partitions')
      .selectAll()
      .orderBy('backfill_id')
      .orderBy('asset_key')
      .orderBy('partition_key')
      .execute(),
  };
}
