import { resolveAssetSpec } from './asset.js';
import type { AssetDefinition, AssetSpecOptions, DepsInput } from './asset-types.js';

/** Options of `externalAsset()`. */
export interface ExternalAssetOptions extends AssetSpecOptions {
  /** Upstream assets, for lineage only. Default none. */
  deps?: DepsInput;
  /** IO manager that can load its value for downstream assets. Default `default`. */
  io?: string;
}

/**
 * Declares an asset that Cairn does not compute (a table another system writes, a file that lands
 * in a bucket). It appears in the lineage graph; its materializations and observations are reported
 * through the API or CLI, and downstream assets become stale when its data version changes.
 *
 * @example
 * const payments = externalAsset<Payment[]>({ key: 'stripe/payments', group: 'sources' });
 */
export function externalAsset<T = unknown>(options: ExternalAssetOptions): AssetDefinition<T> {
  return resolveAssetSpec(options as never, {
    compute: undefined,
    external: true,
    multi: undefined,
  });
}
