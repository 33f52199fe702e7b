import type { AnyAssetDefinition } from '../asset-types.js';
import type { Definitions } from '../definitions-types.js';
import { CairnError } from '../errors.js';
import type { PartitionsDefinition } from '../partitions/partitions-definition.js';

/** What a schedule or sensor runs: a selection string (`group:shop`, `shop/orders+`), a handle, or a list of handles and selections. */
export type TargetInput = string | AnyAssetDefinition | readonly (AnyAssetDefinition | string)[];

/** A target resolved against definitions. */
export interface ResolvedTarget {
  /** Selected asset keys in topological order (external assets excluded: nothing to compute). */
  assetKeys: string[];
  /** The partitions definition shared by the partitioned targets, or undefined when none is partitioned. */
  partitions: PartitionsDefinition | undefined;
}

/** Checks a target as given to `schedule()`/`sensor()` (shape only; assets are resolved later). */
export function checkTargetInput(target: unknown, owner: string): TargetInput {
  const ok = (x: unknown) =>
    typeof x === 'string' ||
    (typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'asset');
  if (ok(target) || (Array.isArray(target) && target.length > 0 && target.every(ok)))
    return target as TargetInput;
  throw new CairnError(
    'CAIRN_INVALID_TARGET',
    `${owner} needs "target": a selection string such as "group:shop" or "shop/orders+", an asset handle, or a non-empty list of them.`,
    { owner },
  );
}

/**
 * Resolves a target to asset keys and their one partitions definition. Throws CAIRN_UNKNOWN_ASSET
 * for an unknown key and CAIRN_INVALID_TARGET when nothing is selected or the partitioned assets
 * do not share one partitions definition (one run has one partition key).
 */
export function resolveTarget(
  defs: Definitions,
  target: TargetInput,
  owner: string,
): ResolvedTarget {
  const items = typeof target === 'string' || !Array.isArray(target) ? [target] : target;
  const keys = new Set<string>();
  for (const item of items as (AnyAssetDefinition | string)[]) {
    if (typeof item === 'string') for (const k of defs.select(item)) keys.add(k);
    else keys.add(defs.asset(item.key).key);
  }
  const assetKeys = defs.graph.sortKeys(keys).filter((k) => !defs.asset(k).external);
  if (assetKeys.length === 0) {
    throw new CairnError(
      'CAIRN_INVALID_TARGET',
      `${owner} targets no asset that can be computed (the selection is empty or only external assets). Check the target against the asset keys, groups and tags.`,
      { owner },
    );
  }
  let partitions: PartitionsDefinition | undefined;
  let first: string | undefined;
  for (const k of assetKeys) {
    const p = defs.asset(k).partitions;
    if (p === undefined) continue;
    if (partitions === undefined) {
      partitions = p;
      first = k;
    } else if (p !== partitions && !p.equals(partitions)) {
      throw new CairnError(
        'CAIRN_INVALID_TARGET',
        `${owner} targets "${first}" and "${k}", which have different partitions definitions; one run has one partition key, so split the target into one schedule or sensor per partitions definition.`,
        { owner, assets: [first, k] },
      );
    }
  }
  return { assetKeys, partitions };
}
