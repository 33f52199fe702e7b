import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDaemon, type Daemon, type DaemonOptions } from '../../src/daemon.js';
import defs from '../leases/fixtures/limit-defs.js';
import { maxOverlap, readIntervals } from '../leases/fleet-helpers.js';
import { inProcessPool } from './in-process-pool.js';

/**
 * Limits across processes on SQLite: two daemons with their own storage connections on one
 * database file (as two processes would be) claim through BEGIN IMMEDIATE transactions, so a tag
 * limit or a pool holds for both together, not for each.
 */

let home = '';
const daemons: Daemon[] = [];

afterEach(async () => {
  for (const d of daemons.splice(0)) await d.stop();
  rmSync(home, { recursive: true, force: true });
});

async function start(options: Partial<DaemonOptions>): Promise<Daemon> {
  const daemon = await createDaemon({
    definitions: defs,
    home,
    workerPool: inProcessPool(defs, home, 4),
    workers: 4,
    schedulerIntervalSeconds: 0,
    automation: { intervalSeconds: 0 },
    ...options,
  });
  daemons.push(daemon);
  return daemon;
}

describe('limits across daemons sharing one SQLite database', () => {
  it('a tag limit of 1 and a pool of 1 hold for both daemons together', async () => {
    home = mkdtempSync(join(tmpdir(), 'cairn-limits-'));
    process.env.CAIRN_LIMITS_DIR = home;
    process.env.CAIRN_LIMITS_SLEEP_MS = '120';
    const limits = { tagLimits: [{ key: 'team', limit: 1 }], pools: { warehouse: 1 } };
    const a = await start(limits);
    const b = await start(limits);
    expect(a.isLeader()).toBe(true);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      for (const [d, key] of [
        [a, `k0${i}`],
        [b, `k1${i}`],
      ] as const) {
        ids.push(
          (await d.submit({ selection: 'timed', partitionKey: key, tags: { team: 'x' } })).runId,
        );
        ids.push((await d.submit({ selection: 'pooled', partitionKey: key })).runId);
      }
    }
    for (const id of ids) expect((await a.waitForRun(id)).status).toBe('success');
    const intervals = readIntervals(home);
    expect(intervals).toHaveLength(16);
    const team = intervals.filter((i) => i.what.startsWith('timed/'));
    const pooled = intervals.filter((i) => i.what.startsWith('pooled/'));
    expect(maxOverlap(team)).toBe(1);
    expect(maxOverlap(pooled)).toBe(1);
    // Different limits do not hold each other up: a team run and a pooled run did run together.
    expect(maxOverlap(intervals)).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it('globalMaxConcurrentRuns holds across daemons', async () => {
    home = mkdtempSync(join(tmpdir(), 'cairn-limits-'));
    process.env.CAIRN_LIMITS_DIR = home;
    process.env.CAIRN_LIMITS_SLEEP_MS = '120';
    const a = await start({ globalMaxConcurrentRuns: 2 });
    // The second daemon sets no fleet limit of its own: the leader's published one holds.
    const b = await start({});
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await a.submit({ selection: 'timed', partitionKey: `k0${i}` })).runId);
      ids.push((await b.submit({ selection: 'timed', partitionKey: `k1${i}` })).runId);
    }
    for (const id of ids) expect((await b.waitForRun(id)).status).toBe('success');
    const intervals = readIntervals(home);
    expect(intervals).toHaveLength(10);
    expect(maxOverlap(intervals)).toBeLessThanOrEqual(2);
  }, 60_000);
});
