import type { z } from 'zod';
import { resolveAssetSpec, resolveDeps } from './asset.js';
import { assetKey } from './asset-key.js';
import type {
  AssetContext,
  AssetDefinition,
  AssetOptions,
  AssetSpecOptions,
  ComputeFn,
  ConfigOf,
  DepsInput,
  InputsOf,
  OutputValue,
} from './asset-types.js';
import { CairnError } from './errors.js';
import type { ResourceDefinition, ResourceValues } from './resource.js';

/** Options of `multiAsset()`: the shared execution options, and one spec per output. */
export interface MultiAssetOptions<
  Outs extends Record<string, Omit<AssetSpecOptions, 'partitions'>>,
  Deps extends DepsInput,
  Cfg extends z.ZodType,
  Res extends Record<string, ResourceDefinition<any, any>>,
> extends Omit<AssetOptions<Deps, Cfg, Res>, keyof AssetSpecOptions> {
  /** One entry per output: the returned object's property name → that asset's spec. */
  outs: Outs;
  /** Partitions shared by every output. Default: unpartitioned. */
  partitions?: AssetSpecOptions['partitions'];
  /** Group applied to outputs that do not name their own. Default `default`. */
  group?: string;
}

/**
 * Declares one function that computes several assets. The function returns an object with one
 * property per output; each output becomes its own asset handle.
 *
 * @example
 * const { customers, orders } = multiAsset(
 *   { outs: { customers: { key: 'crm/customers' }, orders: { key: 'crm/orders' } } },
 *   async () => ({ customers: await fetchCustomers(), orders: await fetchOrders() }),
 * );
 */
export function multiAsset<
  const Outs extends Record<string, Omit<AssetSpecOptions, 'partitions'>>,
  const Deps extends DepsInput = readonly [],
  Cfg extends z.ZodType = never,
  Res extends Record<string, ResourceDefinition<any, any>> = Record<string, never>,
  R extends { [K in keyof Outs]: unknown } = { [K in keyof Outs]: unknown },
>(
  options: MultiAssetOptions<Outs, Deps, Cfg, Res>,
  fn: (
    inputs: InputsOf<Deps>,
    ctx: AssetContext<ConfigOf<Cfg>, ResourceValues<Res>>,
  ) => R | Promise<R>,
): { [K in keyof Outs]: AssetDefinition<OutputValue<R[K]>> } {
  const names = Object.keys(options?.outs ?? {});
  if (names.length === 0) {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      'multiAsset() needs at least one entry in "outs".',
      {},
    );
  }
  const outputs: Record<string, string> = {};
  for (const name of names) outputs[name] = assetKey(options.outs[name]!.key);
  const id = `multi:${Object.values(outputs).sort().join(',')}`;
  const deps = resolveDeps(options.deps, outputs[names[0]!]!);
  const result: Record<string, AssetDefinition> = {};
  for (const name of names) {
    const spec = options.outs[name]!;
    result[name] = resolveAssetSpec(
      { ...options, ...spec, group: spec.group ?? options.group } as never,
      {
        compute: fn as unknown as ComputeFn,
        external: false,
        multi: Object.freeze({ id, output: name, outputs: Object.freeze({ ...outputs }) }),
        deps,
      },
    );
  }
  return result as { [K in keyof Outs]: AssetDefinition<OutputValue<R[K]>> };
}
