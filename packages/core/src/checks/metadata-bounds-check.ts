import type { AnyAssetDefinition, ValueOf } from '../asset-types.js';
import { CairnError } from '../errors.js';
import { type Metadata, ROW_COUNT } from '../metadata.js';
import { type AssetCheckDefinition, assetCheck, type CheckSeverity } from './asset-check.js';

/** Options of `metadataBoundsCheck()`; give `min`, `max` or both. */
export interface MetadataBoundsCheckOptions<A extends AnyAssetDefinition | string> {
  /** The asset checked: its handle or its key. */
  asset: A;
  /** The numeric metadata entry of the latest materialization to bound. Default `rowCount`. */
  metadataKey?: string;
  /** Smallest allowed value, inclusive. Default: no lower bound. */
  min?: number;
  /** Largest allowed value, inclusive. Default: no upper bound. */
  max?: number;
  /** Check name. Default `<metadataKey>_bounds` (characters outside `[A-Za-z0-9_]` become `_`). */
  name?: string;
  /** Default `error`, as for every `assetCheck`. */
  severity?: CheckSeverity;
  /** Default false. */
  blocking?: boolean;
  /** Default: a sentence generated from the bounds. */
  description?: string;
}

/**
 * A check that passes when a numeric metadata entry of the checked partition's latest
 * materialization (by default `rowCount`) lies within `[min, max]`. Never materialized, a missing
 * entry or a non-numeric value → failed, naming the key. Metadata: `value`, `min`, `max`.
 *
 * @example
 * metadataBoundsCheck({ asset: orders, min: 1, blocking: true }); // an empty load stops downstream
 * metadataBoundsCheck({ asset: orders, metadataKey: 'nullRatio', max: 0.01, severity: 'warn' });
 */
export function metadataBoundsCheck<A extends AnyAssetDefinition | string>(
  options: MetadataBoundsCheckOptions<A>,
): AssetCheckDefinition<ValueOf<A>> {
  const key = options?.metadataKey ?? ROW_COUNT;
  const name = options?.name ?? `${String(key).replace(/[^A-Za-z0-9_]/g, '_')}_bounds`;
  const { min, max } = options ?? {};
  const label = `metadataBoundsCheck "${name}"`;
  if (typeof key !== 'string' || key === '') {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      `${label} has metadataKey ${JSON.stringify(key)}; give the name of a numeric metadata entry such as "rowCount".`,
      { check: name },
    );
  }
  for (const [which, bound] of [
    ['min', min],
    ['max', max],
  ] as const) {
    if (bound !== undefined && (typeof bound !== 'number' || !Number.isFinite(bound))) {
      throw new CairnError(
        'CAIRN_INVALID_OPTIONS',
        `${label} has ${which} ${String(bound)}; give a finite number or leave it out.`,
        { check: name, [which]: bound },
      );
    }
  }
  if (min === undefined && max === undefined) {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      `${label} on "${key}" has neither "min" nor "max"; give at least one bound.`,
      { check: name },
    );
  }
  if (min !== undefined && max !== undefined && min > max) {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      `${label} has min ${min} greater than max ${max}; swap them.`,
      { check: name, min, max },
    );
  }
  const range = `[${min ?? '-∞'}, ${max ?? '∞'}]`;
  return assetCheck(
    {
      asset: options.asset,
      name,
      severity: options.severity,
      blocking: options.blocking,
      description: options.description ?? `Metadata "${key}" is within ${range}.`,
    },
    (ctx) => {
      const bounds: Metadata = {};
      if (min !== undefined) bounds.min = min;
      if (max !== undefined) bounds.max = max;
      const who =
        ctx.partitionKey === undefined ? ctx.assetKey : `${ctx.assetKey} ${ctx.partitionKey}`;
      const latest = ctx.history.latestMaterialization(ctx.assetKey, ctx.partitionKey);
      if (latest === undefined) {
        return {
          passed: false,
          metadata: bounds,
          description: `${who} has never been materialized, so it has no metadata "${key}" to check; materialize it.`,
        };
      }
      const value = Object.hasOwn(latest.metadata, key) ? latest.metadata[key] : undefined;
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        const got =
          value === undefined ? 'missing' : `${JSON.stringify(value)}, not a finite number`;
        return {
          passed: false,
          metadata: bounds,
          description: `Metadata "${key}" of the latest materialization of ${who} is ${got}; report it as a number (e.g. materializeResult(value, { metadata: { ${key}: 42 } })).`,
        };
      }
      const passed = (min === undefined || value >= min) && (max === undefined || value <= max);
      return {
        passed,
        metadata: { value, ...bounds },
        description: passed
          ? `Metadata "${key}" of ${who} is ${value}, within ${range}.`
          : `Metadata "${key}" of ${who} is ${value}, outside ${range}.`,
      };
    },
  );
}
