import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDaemon, type Daemon } from '../../src/daemon.js';
import { leaseDb } from '../../src/leases/lease-tables.js';
import { openStorage, type Storage } from '../../src/storage/storage.js';
import defs from '../leases/fixtures/limit-defs.js';
import { startCounts } from '../leases/fleet-helpers.js';
import { inProcessPool } from './in-process-pool.js';

/**
 * The gap between a claim and `run_started`: a process that dies after inserting its
 * `run_claims` row but before recording `run_started` leaves the run queued with a claim nobody
 * heartbeats. The leader voids such a claim once its heartbeat is older than the run lease, and
 * the run executes (once); a claim whose holder still heartbeats is left alone.
 */

let home = '';
const open: { stop(): Promise<void> }[] = [];

afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.stop();
  rmSync(home, { recursive: true, force: true });
});

async function daemon(dispatch: boolean): Promise<Daemon> {
  const d = await createDaemon({
    definitions: defs,
    home,
    workerPool: inProcessPool(defs, home, 2),
    dispatch,
    schedulerIntervalSeconds: 0,
    automation: { intervalSeconds: 0 },
    runLease: { heartbeatSeconds: 0.2, expireSeconds: 3 },
  });
  open.push(d);
  return d;
}

async function claimAs(storage: Storage, runId: string, holder: string, heartbeatAt: number) {
  await leaseDb(storage)
    .insertInto('run_claims')
    .values({
      run_id: runId,
      holder,
      claimed_at: new Date().toISOString(),
      heartbeat_at: heartbeatAt,
      tags: '{}',
      pools: '[]',
    })
    .execute();
}

async function claimHolder(storage: Storage, runId: string): Promise<string | undefined> {
  const row = await leaseDb(storage)
    .selectFrom('run_claims')
    .select('holder')
    .where('run_id', '=', runId)
    .executeTakeFirst();
  return row?.holder;
}

describe('claims of processes that died before run_started', () => {
  it('are voided once their heartbeat expired, and the run executes once', async () => {
    home = mkdtempSync(join(tmpdir(), 'cairn-claim-gap-'));
    process.env.CAIRN_LIMITS_DIR = home;
    process.env.CAIRN_LIMITS_SLEEP_MS = '10';
    // Two queued runs, submitted by a daemon that executes nothing.
    const submitter = await daemon(false);
    const dead = (await submitter.submit({ selection: 'timed', partitionKey: 'k00' })).runId;
    const alive = (await submitter.submit({ selection: 'timed', partitionKey: 'k01' })).runId;
    await submitter.stop();
    open.pop();

    const raw = await openStorage({ path: join(home, 'cairn.db') });
    open.push({ stop: () => raw.close() });
    // `dead`: claimed a minute ago by a process that never heartbeat since (it died in the gap).
    await claimAs(raw, dead, 'ghost-host:4242', Date.now() - 60_000);
    // `alive`: claimed by a process that keeps heartbeating (still about to record run_started).
    await claimAs(raw, alive, 'busy-host:4343', Date.now());
    let beating = true;
    const heartbeat = setInterval(() => {
      if (!beating) return;
      void leaseDb(raw)
        .updateTable('run_claims')
        .set({ heartbeat_at: Date.now() })
        .where('run_id', '=', alive)
        .execute();
    }, 200);
    open.push({ stop: async () => clearInterval(heartbeat) });

    const leader = await daemon(true);
    expect(leader.isLeader()).toBe(true);
    expect((await leader.waitForRun(dead)).status).toBe('success');
    expect(await claimHolder(raw, dead)).not.toBe('ghost-host:4242');
    // The live claim holds: its run is still queued, claimed by its holder.
    expect((await raw.getRun(alive))?.status).toBe('queued');
    expect(await claimHolder(raw, alive)).toBe('busy-host:4343');

    // Its holder dies too: after the run lease (3 s) the claim is voided and the run executes.
    beating = false;
    expect((await leader.waitForRun(alive)).status).toBe('success');
    const counts = startCounts(home);
    expect(counts.get('timed/k00')).toBe(1);
    expect(counts.get('timed/k01')).toBe(1);
  }, 60_000);
});
