import {
  type AnyAssetDefinition,
  type Clock,
  type Definitions,
  type FreshnessStatus,
  freshnessStatus,
} from '@cairn/core';
import type { StoredAssetState } from '../staleness/stored-asset-state.js';

/** An asset's freshness as the daemon reports it. */
export interface AssetFreshness extends FreshnessStatus {
  assetKey: string;
}

/**
 * Evaluates core's `freshnessStatus` for every asset with a freshness policy against the latest
 * stored materialization, and reports each transition into `stale` (a breach) once: a breach is
 * reported again only after the asset was fresh in between.
 */
export class FreshnessMonitor {
  /** The assets with a freshness policy, in graph order (most assets have none). */
  readonly #withPolicy: AnyAssetDefinition[];
  readonly #state: StoredAssetState;
  readonly #clock: Clock;
  readonly #breached = new Set<string>();

  constructor(options: { defs: Definitions; state: StoredAssetState; clock: Clock }) {
    this.#withPolicy = options.defs.graph.keys
      .map((key) => options.defs.assets.get(key)!)
      .filter((asset) => asset.freshness !== undefined);
    this.#state = options.state;
    this.#clock = options.clock;
  }

  /** The freshness of every asset with a policy, at the clock's now. */
  statuses(): AssetFreshness[] {
    const now = this.#clock.now();
    const out: AssetFreshness[] = [];
    for (const asset of this.#withPolicy) {
      const key = asset.key;
      let latestMs: number | undefined;
      for (const k of this.#state.materializedKeys(key)) {
        const ms = this.#state.materializedAt(key, k === '' ? undefined : k);
        if (ms !== undefined && (latestMs === undefined || ms > latestMs)) latestMs = ms;
      }
      const latest = latestMs === undefined ? undefined : new Date(latestMs);
      const status = freshnessStatus(
        asset,
        latest === undefined ? undefined : { timestamp: latest },
        now,
      );
      out.push({ assetKey: key, ...status });
    }
    return out;
  }

  /** The assets that newly breached their policy since the previous call. */
  breaches(): AssetFreshness[] {
    const out: AssetFreshness[] = [];
    for (const s of this.statuses()) {
      if (s.status === 'stale') {
        if (!this.#breached.has(s.assetKey)) out.push(s);
        this.#breached.add(s.assetKey);
      } else {
        this.#breached.delete(s.assetKey);
      }
    }
    return out;
  }
}
