/**
 * Automation and staleness through the daemon's storage (real SQLite in a temp dir):
 * - 1,000 eager daily-partitioned assets in 10 layers of 100 (each reads two neighbours of the
 *   layer above), every partition materialized through the event log, then 1% of the root
 *   partitions re-materialized: the incremental stale-index update, then one automation tick over
 *   the stored state (median of 3 rounds, each with new changes; look-back over all days).
 *   The events are appended in batches of 50,000 (one transaction each). The full size (1,000,000
 *   stored partitions) takes about 3 minutes on a busy machine, mostly the first-start stale index
 *   evaluation of every partition, so the number of days defaults to 100 (100,000 stored asset
 *   partitions); `CAIRN_BENCH_AUTOMATION_DAYS=1000` runs the full size.
 * - 10,000 eager unpartitioned assets in 10 layers of 1,000, 1% of the roots updated.
 * - The staleness explanation of one stale partition, from storage (cold history fetch included).
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
  manualClock,
  systemClock,
} from '@cairn/core';
import { AutomationServices } from '../packages/daemon/src/automation/automation-services.js';
import { openStorage, type Storage, type StoredEvent } from '../packages/daemon/src/index.js';
import { type BenchFigure, median } from './harness.js';

const MB = 1024 * 1024;

function layered(layers: number, width: number, partitioned: boolean): AnyAssetDefinition[] {
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

function materialization(
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

interface World {
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

async function world(
  assets: AnyAssetDefinition[],
  keys: (string | undefined)[],
  ts: string,
  clock: Clock,
): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-auto-'));
  const storage = await openStorage({ path: join(dir, 'cairn.db') });
  const t0 = performance.now();
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
async function change(w: World, events: StoredEvent[]): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < events.length; i += 5000) {
    const chunk = events.slice(i, i + 5000);
    const ids = await w.storage.append(chunk);
    for (const [j, id] of ids.entries()) w.services.onEvent({ id, event: chunk[j]! });
  }
  await w.services.tracker.idle();
  return performance.now() - t0;
}

async function close(w: World): Promise<void> {
  await w.services.stop();
  await w.storage.close();
  rmSync(w.dir, { recursive: true, force: true });
}

/** Runs the daemon automation benchmark. */
export async function run(): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  // 10,000 unpartitioned assets.
  {
    const assets = layered(10, 1000, false);
    const w = await world(assets, [undefined], '2024-01-01T00:00:00Z', systemClock);
    await w.services.automation.tick();
    const times: number[] = [];
    for (let round = 0; round < 5; round++) {
      const events: StoredEvent[] = [];
      for (let r = 0; r < 1000; r += 100)
        events.push(
          materialization(assets[r]!, undefined, `v${round + 2}`, new Date().toISOString()),
        );
      await change(w, events);
      times.push((await w.services.automation.tick()).durationMs);
    }
    figures.push({
      name: 'daemon automation tick: 10,000 unpartitioned assets from storage, 1% of roots updated',
      value: median(times),
      unit: 'ms',
      target: 100,
    });
    await close(w);
  }
  // Partitioned.
  const days = Number(process.env.CAIRN_BENCH_AUTOMATION_DAYS ?? 100);
  const assets = layered(10, 100, true);
  const daily = assets[0]!.partitions!;
  const start = Date.parse('2021-01-01T00:00:00Z');
  const now = new Date(start + days * 86_400_000 + 1_800_000);
  const keys = daily.keys({ now });
  const total = keys.length * assets.length;
  const rss0 = process.memoryUsage().rss;
  // The clock stays at `now`: the partitions that exist are exactly the stored ones.
  const w = await world(assets, keys, new Date(start).toISOString(), manualClock(now));
  await w.services.automation.tick();
  const tickTimes: number[] = [];
  const staleTimes: number[] = [];
  let rssMax = process.memoryUsage().rss;
  for (let round = 0; round < 3; round++) {
    const period = Math.min(100, keys.length);
    const changed = keys.filter((_, i) => i % 100 === (37 + round) % period);
    const events: StoredEvent[] = [];
    for (let r = 0; r < 100; r++)
      for (const k of changed)
        events.push(materialization(assets[r]!, k, `v${round + 2}`, new Date().toISOString()));
    staleTimes.push(await change(w, events));
    tickTimes.push((await w.services.automation.tick()).durationMs);
    rssMax = Math.max(rssMax, process.memoryUsage().rss);
  }
  const stale = await w.services.staleness.partitions('l9/a0', { status: 'stale', limit: 1 });
  const target = stale.partitions[0]?.partitionKey ?? keys[0]!;
  const explainTimes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await w.services.staleness.explain('l9/a0', target);
    explainTimes.push(performance.now() - t0);
  }
  await close(w);
  const size = `${assets.length.toLocaleString('en')} assets × ${keys.length.toLocaleString('en')} daily partitions (${total.toLocaleString('en')} stored)`;
  figures.push(
    {
      name: `daemon automation tick: ${size}, 1% of upstream changed`,
      value: median(tickTimes),
      unit: 'ms',
      target: 1000,
      note: 'issue target is at 1,000,000 partitions; see CAIRN_BENCH_AUTOMATION_DAYS',
    },
    {
      name: `daemon stale index: incremental update after 1% of upstream changed (${size})`,
      value: median(staleTimes),
      unit: 'ms',
    },
    {
      name: `daemon automation: resident size with the stored state loaded (${size})`,
      value: rssMax / MB,
      unit: 'MB',
      target: 300,
      note: `grew ${((rssMax - rss0) / MB).toFixed(0)} MB; appending the events took ${(w.appendMs / 1000).toFixed(1)} s, loading state and stale index ${(w.loadMs / 1000).toFixed(1)} s`,
    },
    {
      name: 'daemon staleness explanation of one partition from storage',
      value: median(explainTimes),
      unit: 'ms',
      target: 10,
    },
  );
  return figures;
}
