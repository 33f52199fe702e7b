/**
 * The stored world the daemon-automation benchmark measures: layered eager assets, their
 * materializations appended to real SQLite storage, the automation services loaded over them, and
 * the changes (1% of the roots re-materialized) fed to those services as the daemon's event hub
 * does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AnyAssetDefinition,
  asset,
  type Clock,
  dailyPartitions,
  definitions,
  eager,
  inputRef,
} from '@cairn/core';
import Database from 'better-sqlite3';
import { AutomationServices } from '../packages/daemon/src/automation/automation-services.js';
import { openStorage, type Storage, type StoredEvent } from '../packages/daemon/src/index.js';

export function layered(layers: number, width: number, partitioned: boolean): AnyAssetDefinition[] {
  const daily = dailyPartitions({ start: '2021-01-01' });
  const out: AnyAssetDefinition[] = [];
  let previous: AnyAssetDefinition[] = [];
  for (let l = 0; l < layers; l++) {
    const layer: AnyAssetDefinition[] = [];
    for (let i = 0; i < width; i++) {
      const deps = l === 0 ? [] : [previous[i]!, previous[(i + 1) % width]!];
      layer.push(
        asset(
          {
            key: `l${l}/a${i}`,
            partitions: partitioned ? daily : undefined,
            codeVersion: '1',
            deps,
            automation: eager(),
          },
          () => 0,
        ),
      );
    }
    out.push(...layer);
    previous = layer;
  }
  return out;
}

export function materialization(
  a: AnyAssetDefinition,
  partitionKey: string | undefined,
  version: string,
  timestamp: string,
): StoredEvent {
  const inputs: Record<string, string> = {};
  for (const d of a.deps) inputs[inputRef(d.key, partitionKey)] = 'v1';
  return {
    type: 'materialization',
    runId: 'bench',
    timestamp,
    assetKey: a.key,
    ...(partitionKey === undefined ? {} : { partitionKey }),
    dataVersion: version,
    codeVersion: '1',
    inputDataVersions: inputs,
    depKeys: a.deps.map((d) => d.key),
  };
}

export interface World {
  storage: Storage;
  services: AutomationServices;
  dir: string;
  submitted: number;
  /** Time to append the stored events, and to load the state and stale index from them. */
  appendMs: number;
  loadMs: number;
}

/** Events per `storage.append` when building the stored state: one transaction each. */
const BUILD_BATCH = 50_000;

/** Appends one materialization of every asset × key to `storage`. */
export async function build(
  storage: Storage,
  assets: AnyAssetDefinition[],
  keys: (string | undefined)[],
  ts: string,
): Promise<void> {
  let batch: StoredEvent[] = [];
  for (const a of assets) {
    for (const k of keys) {
      batch.push(materialization(a, k, 'v1', ts));
      if (batch.length === BUILD_BATCH) {
        await storage.append(batch);
        batch = [];
      }
    }
  }
  if (batch.length > 0) await storage.append(batch);
}

export async function world(
  assets: AnyAssetDefinition[],
  keys: (string | undefined)[],
  ts: string,
  clock: Clock,
  existing?: { dir: string; storage: Storage },
): Promise<World> {
  const dir = existing?.dir ?? mkdtempSync(join(tmpdir(), 'cairn-bench-auto-'));
  const storage = existing?.storage ?? (await openStorage({ path: join(dir, 'cairn.db') }));
  const t0 = performance.now();
  if (existing === undefined) await build(storage, assets, keys, ts);
  const t1 = performance.now();
  const defs = definitions({ assets });
  const w: World = {
    storage,
    dir,
    submitted: 0,
    services: undefined as never,
    appendMs: t1 - t0,
    loadMs: 0,
  };
  w.services = await AutomationServices.create(
    {
      defs,
      storage,
      clock,
      // Submissions are counted, not executed: the tick is measured, not the runs.
      submit: async () => ({ runId: `run-${++w.submitted}`, created: true }),
      addDynamicPartitions: async () => {},
      removeDynamicPartitions: async () => {},
      onError: (err) => {
        throw err;
      },
    },
    { automation: { intervalSeconds: 0, lookback: { days: 1000 }, maxRunsPerTick: 100 } },
  );
  w.loadMs = performance.now() - t1;
  return w;
}

/** Appends re-materializations and feeds them to the services, as the daemon's event hub does. */
export async function change(w: World, events: StoredEvent[]): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < events.length; i += 5000) {
    const chunk = events.slice(i, i + 5000);
    const ids = await w.storage.append(chunk);
    for (const [j, id] of ids.entries()) w.services.onEvent({ id, event: chunk[j]! });
  }
  await w.services.tracker.idle();
  return performance.now() - t0;
}

export async function close(w: World, remove = true): Promise<void> {
  await w.services.stop();
  await w.storage.close();
  if (remove) rmSync(w.dir, { recursive: true, force: true });
}

/** The partitioned world's shape: 1,000 assets, `days` daily partitions each. */
export function partitionedWorld(days: number) {
  const assets = layered(10, 100, true);
  const daily = assets[0]!.partitions!;
  const start = Date.parse('2021-01-01T00:00:00Z');
  const now = new Date(start + days * 86_400_000 + 1_800_000);
  const keys = daily.keys({ now });
  return { assets, keys, now, startIso: new Date(start).toISOString() };
}

/**
 * Forgets what a daemon derived from the stored events (stale index, known definitions, automation
 * memory), so the next daemon starts as on a first start: the stale index evaluation of every
 * partition is the largest start-up there is.
 */
export function resetDerived(dbPath: string): void {
  const sqlite = new Database(dbPath);
  try {
    sqlite.exec('delete from stale_partitions; delete from automation_state;');
  } finally {
    sqlite.close();
  }
}

/** 1% of the root partitions re-materialized (the same change as one round of the child). */
export function rootChanges(
  assets: AnyAssetDefinition[],
  keys: (string | undefined)[],
  round: number,
): StoredEvent[] {
  const period = Math.min(100, keys.length);
  const changed = keys.filter((_, i) => i % 100 === (37 + round) % period);
  const events: StoredEvent[] = [];
  for (let r = 0; r < 100; r++)
    for (const k of changed)
      events.push(materialization(assets[r]!, k, `v${round + 2}`, new Date().toISOString()));
  return events;
}
