import { cronTicks } from '../schedules/cron-ticks.js';
import { describePartition } from '../versioning/stale-cause.js';
import { fromPartitionKey, toPartitionKey } from './asset-space.js';
import type { AutomationCondition } from './automation-condition.js';
import type { OperandResult } from './evaluate-condition.js';
import { PartitionSubset } from './partition-subset.js';
import type { AssetEvaluationContext } from './tick-context.js';

/** `shop/orders 2024-03-02`, or `shop/orders` for the unpartitioned key. */
function who(assetKey: string, key: string): string {
  return describePartition({ assetKey, partitionKey: toPartitionKey(key) });
}

/**
 * Tests each candidate's upstream partitions with `test`; a candidate is true when a test returns
 * a reason (the first one found is kept as the partition's reason).
 */
function anyUpstream(
  ac: AssetEvaluationContext,
  candidates: PartitionSubset,
  test: (upstream: string, upKey: string, key: string) => string | undefined,
): { trueSet: PartitionSubset; why: Map<string, string> } {
  const why = new Map<string, string>();
  const trueSet = candidates.filter((key) => {
    for (const read of ac.reads(key)) {
      for (const upk of read.partitionKeys) {
        const reason = test(read.assetKey, fromPartitionKey(upk), key);
        if (reason !== undefined) {
          why.set(key, reason);
          return true;
        }
      }
    }
    return false;
  });
  return { trueSet, why };
}

/** Evaluates the operands about dependency partitions. */
export function evaluateDependencyOperand(
  condition: AutomationCondition,
  candidates: PartitionSubset,
  ac: AssetEvaluationContext,
): OperandResult {
  const { tick } = ac;
  // A dependency partition requested by this tick under the same key runs in the same run as
  // this partition, before it; one requested under another key runs separately, so it counts
  // as in progress.
  const sameRun = (upstream: string, upKey: string, key: string) =>
    upKey === key && tick.willBeRequested(upstream, upKey);
  switch (condition.type) {
    case 'anyDepsUpdated':
      return depsUpdated(candidates, ac);
    case 'anyDepsMissing': {
      const r = anyUpstream(ac, candidates, (up, upk, key) =>
        !tick.isMaterialized(up, upk) && !sameRun(up, upk, key)
          ? `${who(up, upk)} is missing`
          : undefined,
      );
      return { trueSet: r.trueSet, trueWhy: r.why };
    }
    case 'anyDepsInProgress': {
      const r = anyUpstream(ac, candidates, (up, upk, key) => {
        if (tick.reader.isInProgress(up, toPartitionKey(upk)))
          return `${who(up, upk)} is in progress`;
        if (!sameRun(up, upk, key) && tick.willBeRequested(up, upk))
          return `${who(up, upk)} is requested by this tick in another run`;
        return undefined;
      });
      return { trueSet: r.trueSet, trueWhy: r.why };
    }
    case 'anyDepsFailed': {
      const r = anyUpstream(ac, candidates, (up, upk, key) =>
        tick.reader.isFailed(up, toPartitionKey(upk)) && !sameRun(up, upk, key)
          ? `the latest run of ${who(up, upk)} failed`
          : undefined,
      );
      return { trueSet: r.trueSet, trueWhy: r.why };
    }
    case 'allDepsBlockingChecksPassed': {
      const r = anyUpstream(ac, candidates, (up, upk, key) => {
        // A dependency recomputed in the same run is checked again there; the engine stops at a failure.
        if (sameRun(up, upk, key)) return undefined;
        for (const check of tick.defs.checksByAsset.get(up) ?? []) {
          if (!check.blocking) continue;
          const result = tick.reader.latestCheckResult(up, check.name, toPartitionKey(upk));
          if (result !== undefined && !result.passed && result.severity === 'error')
            return `blocking check ${check.id} failed on ${who(up, upk)}`;
        }
        return undefined;
      });
      return { trueSet: candidates.minus(r.trueSet), falseWhy: r.why };
    }
    case 'allDepsUpdatedSinceCron': {
      const ticks = cronTicks(String(condition.params.cron), String(condition.params.timezone));
      const latest = ticks.latestAtOrBefore(tick.now);
      if (latest === undefined) return { trueSet: candidates };
      const r = anyUpstream(ac, candidates, (up, upk, key) => {
        if (sameRun(up, upk, key)) return undefined;
        const v = tick.reader.currentDataVersion(up, toPartitionKey(upk));
        return v === undefined || v.timestamp.getTime() < latest.getTime()
          ? `${who(up, upk)} was not updated since the tick at ${latest.toISOString()}`
          : undefined;
      });
      return { trueSet: candidates.minus(r.trueSet), falseWhy: r.why };
    }
    default:
      throw new Error(`Unknown automation operand "${condition.type}".`);
  }
}

/**
 * Partitions that read a dependency partition whose data version changed since the previous tick,
 * or that this tick requested under the same key. Starts from the changes (mapped downstream
 * through each edge's mappings), so its cost follows the number of changes.
 */
function depsUpdated(candidates: PartitionSubset, ac: AssetEvaluationContext): OperandResult {
  const { tick, asset, space } = ac;
  const { defs } = tick;
  const why = new Map<string, string>();
  let everything: string | undefined;
  const mark = (key: string, reason: string) => {
    if (!why.has(key)) why.set(key, reason);
  };
  for (const up of defs.graph.parents(asset.key)) {
    const upstream = defs.assets.get(up)!;
    const changed = tick.changedKeys(up);
    if (changed.size > 0) {
      if (!space.partitioned) {
        for (const read of ac.reads('')) {
          if (read.assetKey !== up) continue;
          const hit = read.partitionKeys.findIndex((k) => changed.has(fromPartitionKey(k)));
          if (hit >= 0)
            mark('', `${who(up, fromPartitionKey(read.partitionKeys[hit]))} was updated`);
        }
      } else if (upstream.partitions === undefined) {
        if (changed.has('')) everything ??= `${up} was updated`;
      } else {
        for (const dep of defs.graph.edge(up, asset.key)?.deps ?? []) {
          if (dep.mapping.type === 'all') {
            everything ??= `${who(up, [...changed][0]!)} was updated`;
            continue;
          }
          for (const upk of changed) {
            let keys: string[];
            try {
              keys = dep.mapping.downstreamKeys({
                upstreamKeys: [upk],
                downstream: asset.partitions,
                upstream: upstream.partitions,
                now: tick.ctx.now,
                dynamic: tick.ctx.dynamic,
              });
            } catch {
              // An update of a partition the definitions no longer have concerns nothing downstream.
              continue;
            }
            for (const k of keys) mark(k, `${who(up, upk)} was updated`);
          }
        }
      }
    }
    const requested = tick.requested.get(up);
    if (requested !== undefined && !requested.isEmpty) {
      for (const upk of requested.keys()) {
        if (why.has(upk) || !candidates.has(upk)) continue;
        const reads = ac.reads(upk).find((r) => r.assetKey === up);
        if (reads?.partitionKeys.some((k) => fromPartitionKey(k) === upk))
          mark(upk, `${who(up, upk)} is requested in the same run`);
      }
    }
  }
  if (everything !== undefined) return { trueSet: candidates, trueWhy: why, note: everything };
  return {
    trueSet: candidates.intersect(PartitionSubset.of(space, why.keys())),
    trueWhy: why,
  };
}
