import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDaemon, type Daemon } from '../../src/daemon.js';
import { leaseDb } from '../../src/leases/lease-tables.js';
import { openStorage } from '../../src/storage/storage.js';
import defs from '../leases/fixtures/limit-defs.js';
import { until } from '../leases/fleet-helpers.js';
import { inProcessPool } from './in-process-pool.js';

/**
 * Start-up recovery and runs of other hosts: a daemon starting cannot tell whether a process on
 * another machine is alive, so a started run claimed there is left to the heartbeat check (failed
 * once its claim's heartbeat expired), while a started run with no claim (written before claims
 * existed) is failed at once as before.
 */

let home = '';
const open: { stop(): Promise<void> }[] = [];

afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('recovery of runs started on other hosts', () => {
  it('leaves a claimed run to the heartbeat check and fails an unclaimed one at once', async () => {
    home = mkdtempSync(join(tmpdir(), 'cairn-recovery-hosts-'));
    process.env.CAIRN_LIMITS_DIR = home;
    const submitter = await createDaemon({
      definitions: defs,
      home,
      workerPool: inProcessPool(defs, home, 1),
      dispatch: false,
      schedulerIntervalSeconds: 0,
      automation: { intervalSeconds: 0 },
    });
    const claimed = (await submitter.submit({ selection: 'timed', partitionKey: 'k00' })).runId;
    const unclaimed = (await submitter.submit({ selection: 'timed', partitionKey: 'k01' })).runId;
    await submitter.stop();

    // Both started by a worker on another machine; only `claimed` has a (fresh) claim row.
    const raw = await openStorage({ path: join(home, 'cairn.db') });
    open.push({ stop: () => raw.close() });
    const owner = { pid: 4242, host: 'another-machine' };
    const timestamp = new Date().toISOString();
    await raw.append(
      [claimed, unclaimed].map((runId) => ({
        type: 'run_started' as const,
        runId,
        timestamp,
        stepKeys: ['timed'],
        owner,
      })),
    );
    await leaseDb(raw)
      .insertInto('run_claims')
      .values({
        run_id: claimed,
        holder: 'another-machine:4242',
        claimed_at: timestamp,
        heartbeat_at: Date.now(),
        tags: '{}',
        pools: '[]',
      })
      .execute();
    // The remote worker heartbeats until the checks below, then dies.
    const beat = setInterval(() => {
      void leaseDb(raw)
        .updateTable('run_claims')
        .set({ heartbeat_at: Date.now() })
        .where('run_id', '=', claimed)
        .execute();
    }, 100);
    open.push({ stop: async () => clearInterval(beat) });

    const daemon: Daemon = await createDaemon({
      definitions: defs,
      home,
      workerPool: inProcessPool(defs, home, 1),
      schedulerIntervalSeconds: 0,
      automation: { intervalSeconds: 0 },
      runLease: { heartbeatSeconds: 0.2, expireSeconds: 2 },
    });
    open.push(daemon);
    // Start-up recovery ran before createDaemon returned.
    expect((await raw.getRun(unclaimed))?.status).toBe('failure');
    expect((await raw.getRun(claimed))?.status).toBe('started');
    clearInterval(beat);
    // Nobody heartbeats the claim: the leader fails the run once it is older than the lease.
    await until('the claimed run to be failed by the reaper', async () => {
      return (await raw.getRun(claimed))?.status === 'failure';
    });
    const events = await raw.getEventsForRun(claimed);
    const finished = events.records.find((r) => r.event.type === 'run_finished')?.event;
    expect(finished).toMatchObject({ status: 'failure', error: { code: 'CAIRN_RUN_INTERRUPTED' } });
  }, 60_000);
});
