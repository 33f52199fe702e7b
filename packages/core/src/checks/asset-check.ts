import { assetKey } from '../asset-key.js';
import type { AnyAssetDefinition, StepLogger, ValueOf } from '../asset-types.js';
import { CairnError } from '../errors.js';
import type { Metadata } from '../metadata.js';
import type { TimeWindow } from '../partitions/partitions-definition.js';
import type { ResourceDefinition, ResourceValues } from '../resource.js';

/** How bad a failed check is: `warn` informs, `error` fails CI (and blocks when `blocking`). */
export type CheckSeverity = 'warn' | 'error';

/** What a check function returns. */
export interface CheckResult {
  /** Whether the asset partition passed. */
  passed: boolean;
  /** Facts behind the verdict (row counts, thresholds, sample rows). */
  metadata?: Metadata;
  /** One sentence for humans. */
  description?: string;
  /** Overrides the check's declared severity for this result. */
  severity?: CheckSeverity;
}

/** A materialization as checks see it (from the current run or from storage). */
export interface MaterializationRecord {
  assetKey: string;
  partitionKey: string | undefined;
  /** When it was recorded. */
  timestamp: Date;
  metadata: Metadata;
  dataVersion: string;
  codeVersion: string | undefined;
  runId: string;
}

/** Reads materialization history; the engine provides one from its run, the daemon from storage. */
export interface HistoryReader {
  /** The latest materialization of an asset partition, if any. */
  latestMaterialization(
    assetKey: string,
    partitionKey: string | undefined,
  ): MaterializationRecord | undefined;
}

/** What a check function receives. */
export interface CheckContext<T = unknown, Res = Record<string, unknown>> {
  readonly assetKey: string;
  readonly checkName: string;
  /** The partition being checked, or undefined for an unpartitioned asset. */
  readonly partitionKey: string | undefined;
  readonly partitionTimeWindow: TimeWindow | undefined;
  /** Loads the asset's value for this partition through its IO manager (lazily: freshness checks never need it). */
  loadValue(): Promise<T>;
  /** Materialization history (the latest materialization of this partition is usually what you want). */
  readonly history: HistoryReader;
  /** The instant the check runs at (from the injected clock). */
  readonly now: Date;
  readonly resources: Res;
  readonly log: StepLogger;
  readonly signal: AbortSignal;
  readonly runId: string;
}

/** The function of a check. */
export type CheckFn<T, Res> = (
  ctx: CheckContext<T, ResourceValues<Res>>,
) => CheckResult | Promise<CheckResult>;

/** Options of `assetCheck()`. */
export interface AssetCheckOptions<
  A extends AnyAssetDefinition | string,
  Res extends Record<string, ResourceDefinition<any, any>>,
> {
  /** The asset checked: its handle (types `loadValue()`) or its key. */
  asset: A;
  /** Unique per asset; `[A-Za-z0-9_]+`. */
  name: string;
  /** Default `error`. */
  severity?: CheckSeverity;
  /** When true and the check fails with severity error, assets downstream in the same run are skipped. Default false. */
  blocking?: boolean;
  description?: string;
  /** Resources the check needs. Default `{}`. */
  resources?: Res;
  /** Per-attempt time limit in ms. Default: none. */
  timeoutMs?: number;
}

/** The resolved form of a check. */
export interface AssetCheckDefinition<T = unknown> {
  readonly kind: 'check';
  /** The checked asset's key. */
  readonly assetKey: string;
  readonly name: string;
  /** `asset_key:name`, unique across definitions. */
  readonly id: string;
  readonly severity: CheckSeverity;
  readonly blocking: boolean;
  readonly description: string | undefined;
  readonly resources: Readonly<Record<string, ResourceDefinition<any, any>>>;
  readonly timeoutMs: number | undefined;
  readonly fn: (ctx: CheckContext<any, any>) => CheckResult | Promise<CheckResult>;
  /** Phantom value type. */
  readonly __type?: T;
}

/** Any check, whatever its value type. */
export type AnyAssetCheckDefinition = AssetCheckDefinition<any>;

const NAME = /^[A-Za-z0-9_]+$/;

/**
 * Declares a check on an asset. For partitioned assets it runs per partition.
 *
 * @example
 * const noNegative = assetCheck({ asset: orders, name: 'no_negative_totals', blocking: true },
 *   async (ctx) => { const rows = await ctx.loadValue(); return { passed: rows.every((r) => r.total >= 0) }; });
 */
export function assetCheck<
  A extends AnyAssetDefinition | string,
  Res extends Record<string, ResourceDefinition<any, any>> = Record<string, never>,
>(
  options: AssetCheckOptions<A, Res>,
  fn: CheckFn<ValueOf<A>, Res>,
): AssetCheckDefinition<ValueOf<A>> {
  const key = typeof options.asset === 'string' ? assetKey(options.asset) : options.asset?.key;
  if (typeof key !== 'string') {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      `assetCheck "${options.name}" needs "asset": an asset handle or a key string.`,
      { check: options.name },
    );
  }
  if (typeof options.name !== 'string' || !NAME.test(options.name)) {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      `Check name "${String(options.name)}" on asset "${key}" is invalid: use letters, digits and underscores.`,
      { asset: key, check: options.name },
    );
  }
  if (
    options.severity !== undefined &&
    options.severity !== 'warn' &&
    options.severity !== 'error'
  ) {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      `Check "${key}:${options.name}" has severity "${String(options.severity)}"; use "warn" or "error".`,
      { asset: key, check: options.name },
    );
  }
  if (typeof fn !== 'function') {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      `Check "${key}:${options.name}" needs a function.`,
      {
        asset: key,
        check: options.name,
      },
    );
  }
  return Object.freeze({
    kind: 'check' as const,
    assetKey: key,
    name: options.name,
    id: `${key}:${options.name}`,
    severity: options.severity ?? 'error',
    blocking: options.blocking ?? false,
    description: options.description,
    resources: Object.freeze({ ...(options.resources ?? {}) }),
    timeoutMs: options.timeoutMs,
    fn: fn as AssetCheckDefinition['fn'],
  });
}
