import { freshnessStatus } from '@cairn/core';
import { Gauge, Histogram, Registry } from 'prom-client';
import type { ApiDaemon } from './api-daemon.js';
import { readAllStatusCounts } from './api-reads.js';
import type { EventFollower } from './event-follower.js';

/**
 * The Prometheus metrics of one app, in a registry of its own (two apps in one process do not
 * share series). Gauges are computed at scrape time from storage (a few grouped queries); the step
 * duration histogram is fed by finished runs seen by the event follower. Labels are bounded: asset
 * keys, statuses and tick kinds, never partition keys or run ids.
 */
export interface ApiMetrics {
  readonly registry: Registry;
  /** Stops following events. */
  close(): void;
}

const STALE_REFRESH_MS = 60_000;

// Step durations from 10 ms to 1 h: asset steps span sub-second SQL to long model training.
const STEP_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600];

/** Creates the metrics of an app over the daemon. */
export function createApiMetrics(daemon: ApiDaemon, follower: EventFollower): ApiMetrics {
  const registry = new Registry();
  const storage = daemon.storage;

  new Gauge({
    name: 'cairn_runs',
    help: 'Runs in the database by status',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const rows = await storage.db
        .selectFrom('runs')
        .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('status')
        .execute();
      this.reset();
      for (const s of ['queued', 'started', 'success', 'failure', 'canceled'])
        this.set({ status: s }, 0);
      for (const r of rows) this.set({ status: r.status }, Number(r.n));
    },
  });

  new Gauge({
    name: 'cairn_run_queue_depth',
    help: 'Runs queued and not yet started',
    registers: [registry],
    async collect() {
      const row = await storage.db
        .selectFrom('runs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'queued')
        .executeTakeFirst();
      this.set(Number(row?.n ?? 0));
    },
  });

  // With the grouped count (one query) the stale series are read on every scrape. Without it,
  // summaries cost ~0.3 ms per asset (10,000 assets: seconds), so the series are recomputed at
  // most once a minute and served from this cache in between.
  let stale: { at: number; values: Map<string, number> } | undefined;
  const staleCounts = async (): Promise<Map<string, number>> => {
    const staleness = daemon.staleness;
    if (staleness === undefined) return new Map();
    if (staleness.staleCounts !== undefined) {
      // A failing read leaves the stale series out of this scrape, not the scrape.
      const grouped = await staleness.staleCounts().catch(() => undefined);
      if (grouped === undefined) return new Map();
      return new Map([...daemon.definitions.assets.keys()].map((k) => [k, grouped.get(k) ?? 0]));
    }
    if (stale !== undefined && Date.now() - stale.at < STALE_REFRESH_MS) return stale.values;
    const values = new Map<string, number>();
    for (const key of daemon.definitions.assets.keys()) {
      try {
        values.set(key, (await staleness.summary(key)).stale);
      } catch {
        // An asset whose staleness cannot be evaluated has no stale series.
      }
    }
    stale = { at: Date.now(), values };
    return values;
  };

  new Gauge({
    name: 'cairn_asset_partitions',
    help: 'Partitions of each asset by status (materialized, failed, in_progress, missing, stale)',
    labelNames: ['asset', 'status'],
    registers: [registry],
    async collect() {
      const counts = await readAllStatusCounts(storage.db);
      const ctx = { now: new Date(), dynamic: storage };
      this.reset();
      for (const asset of daemon.definitions.assets.values()) {
        const c = counts.get(asset.key) ?? { materialized: 0, failed: 0, inProgress: 0 };
        const total = asset.partitions === undefined ? 1 : asset.partitions.count(ctx);
        this.set({ asset: asset.key, status: 'materialized' }, c.materialized);
        this.set({ asset: asset.key, status: 'failed' }, c.failed);
        this.set({ asset: asset.key, status: 'in_progress' }, c.inProgress);
        this.set(
          { asset: asset.key, status: 'missing' },
          Math.max(0, total - c.materialized - c.failed - c.inProgress),
        );
      }
      for (const [key, n] of await staleCounts()) this.set({ asset: key, status: 'stale' }, n);
    },
  });

  new Gauge({
    name: 'cairn_asset_freshness_lag_minutes',
    help: 'Minutes since the latest materialization of each asset with a freshness policy',
    labelNames: ['asset'],
    registers: [registry],
    async collect() {
      this.reset();
      const now = new Date();
      for (const asset of daemon.definitions.assets.values()) {
        if (asset.freshness === undefined) continue;
        const latest =
          asset.partitions === undefined
            ? await storage.getLatestMaterialization(asset.key)
            : (await storage.getMaterializationHistory(asset.key, { limit: 1 })).records[0];
        if (latest === undefined) continue;
        try {
          const status = freshnessStatus(
            asset,
            { timestamp: new Date(latest.event.timestamp) },
            now,
          );
          if (status.lagMinutes !== undefined) this.set({ asset: asset.key }, status.lagMinutes);
        } catch {
          // An invalid policy is reported by the definitions; no series for it here.
        }
      }
    },
  });

  new Gauge({
    name: 'cairn_tick_duration_seconds',
    help: 'Duration of the latest automation, schedule and sensor ticks, by kind',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      const ticks = daemon.automation?.tickDurations?.() ?? [];
      this.reset();
      for (const t of ticks) this.set({ kind: t.kind }, t.durationMs / 1000);
    },
  });

  const steps = new Histogram({
    name: 'cairn_step_duration_seconds',
    help: 'Duration of finished steps (since this API started), by final status',
    labelNames: ['status'],
    buckets: STEP_BUCKETS,
    registers: [registry],
  });

  const unsubscribe = follower.subscribe((records) => {
    for (const { event } of records) {
      if (event.type !== 'run_finished' && event.type !== 'run_canceled') continue;
      void storage.getSteps(event.runId).then(
        (rows) => {
          for (const s of rows) {
            if (s.endedAt === null) continue;
            const ms = Date.parse(s.endedAt) - Date.parse(s.startedAt);
            if (Number.isFinite(ms) && ms >= 0) steps.observe({ status: s.status }, ms / 1000);
          }
        },
        () => {},
      );
    }
  });
  // Without storage (the OpenAPI document is built with no daemon) there is nothing to follow.
  follower.start().catch(() => undefined);

  return {
    registry,
    close: unsubscribe,
  };
}
