import type { AnyAssetDefinition } from '../asset-types.js';
import type { Definitions } from '../definitions-types.js';
import { CairnError } from '../errors.js';
import { isAutomationCondition } from './automation-condition.js';
import { type ConditionPlan, planOf } from './evaluate-condition.js';

/** An asset with a condition, with what a tick reads of it for every asset. */
export interface AutomatedAsset {
  key: string;
  asset: AnyAssetDefinition;
  plan: ConditionPlan;
  /** Keys of its dependencies (self-dependencies excluded). */
  parents: readonly string[];
}

const automatedByDefs = new WeakMap<
  Definitions,
  { list: AutomatedAsset[]; index: ReadonlyMap<string, number> }
>();

/**
 * The assets a tick evaluates (a condition, not external), in graph order, with their plans:
 * built once per definitions, so a tick over 10,000 assets walks an array instead of looking
 * each asset, plan and dependency list up by key.
 */
export function automatedAssets(defs: Definitions): {
  list: AutomatedAsset[];
  index: ReadonlyMap<string, number>;
} {
  const cached = automatedByDefs.get(defs);
  if (cached !== undefined) return cached;
  const out: AutomatedAsset[] = [];
  for (const key of defs.graph.keys) {
    const asset = defs.assets.get(key)!;
    const condition = asset.automation;
    if (condition === undefined || asset.external) continue;
    if (!isAutomationCondition(condition)) {
      throw new CairnError(
        'CAIRN_INVALID_OPTIONS',
        `Asset "${key}" has automation of type "${String(condition.type)}", which is not a Cairn automation condition; build it with eager(), onCron(), onMissing() or AutomationCondition.*.`,
        { asset: key },
      );
    }
    out.push({ key, asset, plan: planOf(condition), parents: defs.graph.parents(key) });
  }
  const result = { list: out, index: new Map(out.map((a, i) => [a.key, i])) };
  automatedByDefs.set(defs, result);
  return result;
}
