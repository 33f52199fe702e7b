import { cronTicks } from '../schedules/cron-ticks.js';
import type { AutomatedAsset } from './automated-assets.js';
import type { AssetAutomationMemory } from './automation-memory.js';
import type { ConditionPlan } from './evaluate-condition.js';
import type { TickContext } from './tick-context.js';

/**
 * True when the plan is certainly false for every partition of the asset this tick because no
 * event it waits for happened: no new partition, no dependency update or request, no code change,
 * no cron tick, no pending `since` state. Such an asset is not evaluated and keeps its memory; this
 * is what makes a tick cost what changed (10,000 quiet eager assets cost a map lookup each).
 * Conservative: operands that read the state (missing, in progress, checks...) are never quiet.
 * `memory` is the asset's memory from the previous tick (an asset without one is never quiet).
 */
export function isQuiet(
  plan: ConditionPlan,
  tick: TickContext,
  entry: AutomatedAsset,
  memory: AssetAutomationMemory,
): boolean {
  const { asset } = entry;
  const kids = plan.children;
  switch (plan.condition.type) {
    case 'and':
      // Children before the quiet one are evaluated normally; skipping is exact only when they
      // keep no memory that evaluation would update.
      for (const k of kids) {
        if (isQuiet(k, tick, entry, memory)) return true;
        if (k.stateful) return false;
      }
      return false;
    case 'or':
      for (const k of kids) if (!isQuiet(k, tick, entry, memory)) return false;
      return true;
    case 'since':
      return memory.nodes?.[plan.path] === undefined && isQuiet(kids[0]!, tick, entry, memory);
    case 'newlyMissing': {
      // Quiet when no partition was added and none of its own was updated (a wipe is an update).
      const m = memory.nodes?.[plan.path];
      return (
        m?.type === 'newlyMissing' &&
        m.count === tick.partitionCount(asset) &&
        tick.updatedKeys(asset.key).size === 0
      );
    }
    case 'anyDepsUpdated':
      for (const up of entry.parents) if (tick.isTouched(up)) return false;
      return true;
    case 'codeVersionChanged':
      return memory.codeVersion === (asset.codeVersion ?? null);
    case 'newlyUpdated':
      return tick.updatedKeys(asset.key).size === 0;
    case 'newlyRequested':
      return memory.requested === undefined;
    case 'initialEvaluation':
      return true;
    case 'cronTickPassed': {
      const prev = tick.previousAt;
      const { cron, timezone } = plan.condition.params;
      return (
        prev === undefined ||
        tick.cronTicked(String(cron), String(timezone), () =>
          cronTicks(String(cron), String(timezone)).between(prev, tick.now, 1),
        ).length === 0
      );
    }
    default:
      return false;
  }
}
