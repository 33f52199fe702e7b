import { join } from 'node:path';
import { asset, definitions } from '@cairn/core';
import { afterEach, describe, expect, it } from 'vitest';
import { OrderedEventFeed } from '../../src/events/ordered-event-feed.js';
import { openStorage, type Storage } from '../../src/storage/index.js';
import { startWebhook } from '../alerts/webhook-server.js';
import { automationDaemon, run, tempHome } from '../automation/helpers.js';
import { describeDialects } from '../storage-dialects/dialects.js';

/**
 * Events written by another process sharing the database (a `cairn worker`, a second daemon,
 * `cairn materialize`) reach this daemon's state, streams and alerts, in id order. "Another
 * process" is another Storage on the same SQLite file: its own connection and its own writer.
 */

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

function home(): string {
  const t = tempHome('cairn-feed-');
  cleanups.push(t.remove);
  return t.home;
}

async function otherWriter(where: string): Promise<Storage> {
  const storage = await openStorage({ path: join(where, 'cairn.db') });
  cleanups.push(() => storage.close());
  return storage;
}

const observed = (assetKey: string, dataVersion: string) => ({
  type: 'asset_observation' as const,
  timestamp: new Date().toISOString(),
  assetKey,
  dataVersion,
});

describe('ordered event feed', () => {
  it("another process's materialization makes this daemon's downstream stale and reaches its listeners", async () => {
    const up = asset({ key: 'up' }, () => 1);
    const down = asset({ key: 'down', deps: { up } }, ({ up }) => up + 1);
    const where = home();
    const { daemon } = await automationDaemon(definitions({ assets: [up, down] }), where);
    cleanups.push(() => daemon.stop());
    await run(daemon, { selection: '*' });
    expect((await daemon.staleness!.summary('down')).stale).toBe(0);
    const heard: string[] = [];
    daemon.onEvent(({ event }) => {
      if (event.type === 'materialization') heard.push(event.assetKey);
    });

    const other = await otherWriter(where);
    await other.append([
      {
        type: 'materialization',
        timestamp: new Date().toISOString(),
        assetKey: 'up',
        dataVersion: 'written-elsewhere',
      },
    ]);
    await expect.poll(() => heard, { timeout: 5000 }).toEqual(['up']);
    await expect
      .poll(async () => (await daemon.staleness!.summary('down')).stale, { timeout: 5000 })
      .toBe(1);
  });
});

describeDialects('events of several processes', (ctx) => {
  it('delivers its own and other writers’ events once each, in id order', async () => {
    const options = await ctx.fresh();
    const mine = await openStorage(options);
    cleanups.push(() => mine.close());
    const other = await openStorage(ctx.same());
    cleanups.push(() => other.close());
    const feed = new OrderedEventFeed({ storage: mine, after: 0, pollMs: 0 });
    cleanups.push(() => feed.close());
    const seen: number[] = [];
    feed.subscribe((r) => seen.push(r.id));

    // The next id, offered by this process: delivered synchronously.
    const [first] = await mine.append([observed('a', '1')]);
    feed.offer((await mine.getEventsAfter(0)).records[0]!);
    expect(seen).toEqual([first]);

    // Two events of another writer, then one of ours: ours waits for theirs, all in order.
    await other.append([observed('b', '1'), observed('b', '2')]);
    const [mineAgain] = await mine.append([observed('a', '2')]);
    const record = (await mine.getEventsAfter(mineAgain! - 1)).records[0]!;
    feed.offer(record);
    feed.offer(record); // offered twice: delivered once
    await feed.catchUp();
    const all = (await mine.getEventsAfter(0)).records.map((r) => r.id);
    expect(seen).toEqual(all);
    expect(all).toHaveLength(4);

    // Without any offer, catchUp (and the poll) find other writers' events.
    await other.append([observed('c', '1')]);
    await feed.catchUp();
    expect(seen).toEqual((await mine.getEventsAfter(0)).records.map((r) => r.id));
  });

  it('two daemons on one database send an alert once, also for a run another process ran', async () => {
    const webhook = await startWebhook();
    cleanups.push(() => webhook.close());
    const { bodies, url } = webhook;

    const broken = asset({ key: 'broken' }, () => {
      throw new Error('boom');
    });
    const defs = definitions({ assets: [broken] });
    const where = home();
    const { databaseUrl } = await ctx.fresh();
    const options = {
      alerts: [{ url, events: ['run_failure' as const] }],
      ...(databaseUrl === undefined ? {} : { databaseUrl }),
    };
    const a = await automationDaemon(defs, where, options);
    cleanups.push(() => a.daemon.stop());
    const b = await automationDaemon(defs, where, options);
    cleanups.push(() => b.daemon.stop());
    expect([a.daemon.isLeader(), b.daemon.isLeader()].filter(Boolean)).toHaveLength(1);

    // Submitted through the daemon that does not lead: it may run there or on the leader.
    const follower = a.daemon.isLeader() ? b.daemon : a.daemon;
    const { runId } = await follower.submit({ selection: 'broken' });
    await expect
      .poll(async () => (await follower.storage.getRun(runId))?.status, { timeout: 10_000 })
      .toBe('failure');
    // A run finished by a process with no daemon at all (a worker): its failure is alerted too.
    // Another process: a Storage of its own on the daemons' database.
    const worker =
      databaseUrl === undefined ? await otherWriter(where) : await openStorage(ctx.same());
    if (databaseUrl !== undefined) cleanups.push(() => worker.close());
    await worker.append([
      {
        type: 'run_finished',
        timestamp: new Date().toISOString(),
        runId: 'run-of-a-worker',
        status: 'failure',
        error: { name: 'Error', message: 'worker run failed' },
      },
    ]);
    await expect.poll(() => bodies.length, { timeout: 5000 }).toBe(2);
    await new Promise((r) => setTimeout(r, 1200)); // more than two polls: nothing else arrives
    await a.daemon.alerts.idle();
    await b.daemon.alerts.idle();
    expect(bodies.map((x) => x.runId).sort()).toEqual([runId, 'run-of-a-worker'].sort());
  });
});
