import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/index.js';
import { KEYS } from './fixtures/backfill-defs.js';
import { dumpLedger, tempHome } from './helpers.js';

const SCRIPT = fileURLToPath(new URL('./fixtures/crash-daemon.ts', import.meta.url));
const DEFS = fileURLToPath(new URL('./fixtures/backfill-defs.ts', import.meta.url));

let children: ChildProcess[] = [];
let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  children = [];
  for (const c of cleanups) c();
  cleanups = [];
});

/** Starts the daemon process; resolves its handle once it printed `ready`, and its end. */
function startDaemon(home: string) {
  const child = fork(SCRIPT, [home, DEFS], {
    execArgv: ['--conditions=@cairn/source', '--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => {
    out += s;
  });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    err += s;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise<void>((resolve, reject) => {
    const check = setInterval(() => {
      if (out.includes('ready')) {
        clearInterval(check);
        resolve();
      }
    }, 10);
    void exited.then(() => {
      clearInterval(check);
      if (out.includes('ready')) resolve();
      else reject(new Error(`daemon exited before ready: ${err}`));
    });
  });
  return { child, ready, exited, output: () => out, errors: () => err };
}

describe('crash safety', () => {
  it('a 200-partition backfill survives repeated kill -9 of the daemon with nothing lost or duplicated', async () => {
    const { home, cleanup } = tempHome();
    cleanups.push(cleanup);
    const kills = 5;
    let killed = 0;
    for (let i = 0; i < kills; i++) {
      const d = startDaemon(home);
      await d.ready;
      // A random point: from right after start to well into the backfill.
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 1100));
      if (d.child.exitCode !== null) break; // finished before we got to kill it
      d.child.kill('SIGKILL');
      const end = await d.exited;
      expect(end.signal).toBe('SIGKILL');
      killed++;
    }
    const last = startDaemon(home);
    const end = await last.exited;
    expect(end.code, last.errors()).toBe(0);
    expect(last.output()).toContain('done completed');
    expect(killed).toBeGreaterThanOrEqual(1);

    const storage = await openStorage({ path: `${home}/cairn.db` });
    try {
      expect(await storage.integrityCheck()).toEqual({ ok: true, problems: [] });
      // No event lost: ids are contiguous (a commit never leaves a hole, a rollback never an id).
      const events = [];
      let after = 0;
      for (;;) {
        const page = await storage.getEventsAfter(after, { limit: 10_000 });
        events.push(...page.records);
        if (page.nextCursor === undefined) break;
        after = page.nextCursor;
      }
      expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
      // No run queued twice, no chunk attempt submitted twice, every run ended.
      const queued = events.flatMap((e) => (e.event.type === 'run_queued' ? [e.event] : []));
      expect(new Set(queued.map((q) => q.runId)).size).toBe(queued.length);
      const keys = queued.flatMap((q) =>
        q.idempotencyKey === undefined ? [] : [q.idempotencyKey],
      );
      expect(new Set(keys).size).toBe(keys.length);
      const ended = new Set(
        events.flatMap((e) =>
          e.event.type === 'run_finished' || e.event.type === 'run_canceled' ? [e.event.runId] : [],
        ),
      );
      expect(queued.filter((q) => !ended.has(q.runId))).toEqual([]);

      const interrupted = events.filter(
        (e) => e.event.type === 'run_finished' && e.event.error?.code === 'CAIRN_RUN_INTERRUPTED',
      ).length;
      console.log(
        `crash test: ${killed} kills, ${interrupted} runs interrupted, ${queued.length} runs, ${events.length} events`,
      );

      // Every partition materialized, exactly as the ledger says.
      const ledger = await storage.db
        .selectFrom('backfill_partitions')
        .select(['asset_key', 'partition_key', 'status'])
        .where('backfill_id', '=', 'crash')
        .execute();
      expect(ledger).toHaveLength(400);
      expect(ledger.every((r) => r.status === 'materialized')).toBe(true);
      // Each partition's materializations in the log == the successful attempts the steps
      // index recorded, and no run materialized a partition twice.
      const steps = await storage.db
        .selectFrom('steps')
        .select(['step_key', (eb) => eb.fn.sum<number>('materializations').as('n')])
        .groupBy('step_key')
        .execute();
      const recorded = new Map(steps.map((s) => [s.step_key, Number(s.n)]));
      const mats = new Map<string, string[]>();
      for (const e of events) {
        if (e.event.type !== 'materialization') continue;
        const key = `${e.event.assetKey}[${e.event.partitionKey}]`;
        mats.set(key, [...(mats.get(key) ?? []), e.event.runId!]);
      }
      for (const asset of ['raw', 'clean']) {
        for (const pk of KEYS) {
          const key = `${asset}[${pk}]`;
          const runs = mats.get(key) ?? [];
          expect(runs.length, key).toBeGreaterThanOrEqual(1);
          expect(new Set(runs).size, key).toBe(runs.length);
          expect(recorded.get(key), key).toBe(runs.length);
          const state = await storage.getAssetPartition(asset, pk);
          expect(state?.status, key).toBe('materialized');
        }
      }
      // The ledger maintained through the crashes equals the one rebuilt from the log.
      const incremental = await dumpLedger(storage.db);
      await storage.rebuildIndexes();
      expect(await dumpLedger(storage.db)).toEqual(incremental);
    } finally {
      await storage.close();
    }
  }, 90_000);
});
