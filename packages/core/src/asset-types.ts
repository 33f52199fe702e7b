import type { z } from 'zod';
import type { MappingCardinality, PartitionMapping } from './mappings/partition-mapping.js';
import type { Metadata } from './metadata.js';
import type { PartitionsDefinition, TimeWindow } from './partitions/partitions-definition.js';
import type { ResourceDefinition, ResourceValues } from './resource.js';

/**
 * The types shared by `asset()`, `multiAsset()`, `externalAsset()` and the engine. Kept in one file
 * so the typed handle and the context it is computed with stay in step.
 */

/** How a failed step is retried. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Delay before the first retry, in ms. Default 1000. */
  delayMs?: number;
  /** How the delay grows: `linear` (delay × attempt) or `exponential` (delay × 2^(attempt-1)). Default `exponential`. */
  backoff?: 'linear' | 'exponential';
  /** Random spread added to each delay: `true` for up to 100% of it, or a fraction in (0, 1]. Default false. */
  jitter?: boolean | number;
}

/** A declarative automation condition; declared on assets here, evaluated by the daemon. */
export interface AutomationConditionLike {
  /** The condition's operator, e.g. `eager`, `onCron`, `and`. */
  readonly type: string;
}

/** How a backfill splits this asset's partitions into runs. */
export type BackfillPolicy =
  | { type: 'multi-run' }
  | { type: 'single-run'; maxPartitionsPerRun?: number };

/** A logger whose lines are stored with the step. */
export interface StepLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** What an asset function receives besides its inputs. */
export interface AssetContext<Cfg = unknown, Res = Record<string, unknown>> {
  /** The key of the asset being computed. */
  readonly assetKey: string;
  /** The partition being computed, or undefined for an unpartitioned asset. */
  readonly partitionKey: string | undefined;
  /** The time window of the partition, for time-window partitions (or a multi key's time dimension). */
  readonly partitionTimeWindow: TimeWindow | undefined;
  /** For multi-dimensional partitions, the key of each dimension. */
  readonly partitionDimensions: Readonly<Record<string, string>> | undefined;
  /** The validated run config of this asset. */
  readonly config: Cfg;
  /** The resources this asset declared, set up for this run. */
  readonly resources: Res;
  /** Logs stored with the step. */
  readonly log: StepLogger;
  /** Aborted when the step times out or the run is cancelled: pass it to fetch, streams, queries. */
  readonly signal: AbortSignal;
  /** The id of the run. */
  readonly runId: string;
  /** 1 for the first attempt, 2 for the first retry, ... */
  readonly attempt: number;
}

const RESULT = Symbol.for('cairn.materializeResult');

/** The value of an asset together with metadata and an explicit data version. */
export class MaterializeResult<T> {
  readonly [RESULT] = true;
  constructor(
    readonly value: T,
    readonly metadata: Metadata = {},
    readonly dataVersion: string | undefined = undefined,
  ) {}
}

/**
 * Wraps an asset's value with metadata (numbers, text, URLs, tables, row counts) and an optional
 * explicit data version.
 *
 * @example
 * return materializeResult(rows, { metadata: { rowCount: rows.length } });
 */
export function materializeResult<T>(
  value: T,
  options: { metadata?: Metadata; dataVersion?: string } = {},
): MaterializeResult<T> {
  return new MaterializeResult(value, options.metadata ?? {}, options.dataVersion);
}

/** True when `x` is a MaterializeResult. */
export function isMaterializeResult(x: unknown): x is MaterializeResult<unknown> {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[RESULT] === true;
}

/** The value type an asset function's return type stands for. */
export type OutputValue<R> = Awaited<R> extends MaterializeResult<infer T> ? T : Awaited<R>;

/** A dependency with an explicit partition mapping. */
export interface MappedDep<
  A extends AnyAssetDefinition | string = AnyAssetDefinition | string,
  M extends PartitionMapping<MappingCardinality> = PartitionMapping<MappingCardinality>,
> {
  asset: A;
  mapping?: M;
}

/** One dependency as written by users: a handle, a key string, or `{ asset, mapping }`. */
export type DepInput = AnyAssetDefinition | string | MappedDep;

/** Data-passing deps (`{ name: dep }`) or ordering-only deps (`[dep, ...]`). */
export type DepsInput = Readonly<Record<string, DepInput>> | readonly DepInput[];

/** The value type of an asset handle. */
export type ValueOf<A> = A extends AssetDefinition<infer T> ? T : unknown;

/** The type of one input, from how the dep was written. */
export type InputOf<D> =
  D extends AssetDefinition<infer T>
    ? T
    : D extends { asset: infer A; mapping: PartitionMapping<'many'> }
      ? Map<string, ValueOf<A>>
      : D extends { asset: infer A }
        ? ValueOf<A>
        : unknown;

/** The `inputs` object of an asset function. */
export type InputsOf<D> = D extends readonly unknown[]
  ? Record<string, never>
  : { readonly [K in keyof D]: InputOf<D[K]> };

/** The type of `ctx.config` for a config schema (undefined when the asset has none). */
export type ConfigOf<Cfg> = [Cfg] extends [never]
  ? undefined
  : Cfg extends z.ZodType
    ? z.infer<Cfg>
    : undefined;

/** A dependency after `asset()` resolved it. */
export interface ResolvedDep {
  /** The upstream asset key. */
  readonly key: string;
  /** The input name for data-passing deps; undefined for ordering-only deps. */
  readonly inputName: string | undefined;
  /** The explicit mapping, or undefined to infer one when definitions are built. */
  readonly mapping: PartitionMapping | undefined;
}

/** The compute function as the engine calls it. */
export type ComputeFn = (
  inputs: Record<string, unknown>,
  ctx: AssetContext<unknown, Record<string, unknown>>,
) => unknown;

/** Where a multi-asset output comes from. */
export interface MultiAssetOrigin {
  /** The node id shared by all outputs of one multi-asset. */
  readonly id: string;
  /** This output's name in the function's returned object. */
  readonly output: string;
  /** All output names of the multi-asset, mapped to their asset keys. */
  readonly outputs: Readonly<Record<string, string>>;
}

/** The resolved, frozen form of an asset: what every other part of Cairn reads. */
export interface AssetDefinition<T = unknown> {
  readonly kind: 'asset';
  /** Canonical key, e.g. `shop/raw_orders`. */
  readonly key: string;
  /** Upstream dependencies. */
  readonly deps: readonly ResolvedDep[];
  /** The partitions definition, or undefined when unpartitioned. */
  readonly partitions: PartitionsDefinition | undefined;
  readonly description: string | undefined;
  /** Group name. Default `default`. */
  readonly group: string;
  readonly owners: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  readonly kinds: readonly string[];
  readonly metadata: Readonly<Metadata>;
  /** Code version; when it changes, materialized partitions become stale. */
  readonly codeVersion: string | undefined;
  /** zod schema of the run config. */
  readonly configSchema: z.ZodType | undefined;
  /** Resources the function needs, by name. */
  readonly resources: Readonly<Record<string, ResourceDefinition<any, any>>>;
  /** IO manager name. Default `default`. */
  readonly io: string;
  readonly retry: RetryPolicy | undefined;
  /** Per-attempt time limit; the function's signal aborts when it passes. */
  readonly timeoutMs: number | undefined;
  readonly automation: AutomationConditionLike | undefined;
  readonly backfillPolicy: BackfillPolicy;
  /** Concurrency pool name (enforced by the daemon). */
  readonly pool: string | undefined;
  /** Freshness policy (evaluated by the daemon and `freshnessCheck`). */
  readonly freshness: FreshnessPolicy | undefined;
  /** The compute function; undefined for external assets. */
  readonly compute: ComputeFn | undefined;
  /** True for external assets (no compute; updated by reported events). */
  readonly external: boolean;
  /** Set when this asset is one output of a multi-asset. */
  readonly multi: MultiAssetOrigin | undefined;
  /** Phantom field carrying the value type. Never set. */
  readonly __type?: T;
}

/** Any asset handle, whatever its value type. */
export type AnyAssetDefinition = AssetDefinition<any>;

/** How fresh an asset must be. */
export type FreshnessPolicy =
  | { maxLagMinutes: number }
  | { cron: string; timezone?: string; maxLagMinutes?: number };

/** Options shared by `asset()`, `multiAsset()` outputs and `externalAsset()`. */
export interface AssetSpecOptions {
  /** The asset key: `"shop/raw_orders"` or `["shop", "raw_orders"]`. Required. */
  key: string | readonly string[];
  /** Partitions. Default: unpartitioned. */
  partitions?: PartitionsDefinition;
  /** Shown in the UI. Default: none. */
  description?: string;
  /** Group name. Default `default`. */
  group?: string;
  /** Owners (`team:data`, emails). Default `[]`. */
  owners?: readonly string[];
  /** Tags. Default `{}`. */
  tags?: Readonly<Record<string, string>>;
  /** Kinds (`sql`, `python`, `s3`...), shown as badges and selectable with `kind:`. Default `[]`. */
  kinds?: readonly string[];
  /** Static metadata. Default `{}`. */
  metadata?: Metadata;
  /** Freshness policy. Default: none. */
  freshness?: FreshnessPolicy;
}

/** Options of `asset()`. */
export interface AssetOptions<
  Deps extends DepsInput = DepsInput,
  Cfg extends z.ZodType = never,
  Res extends Record<string, ResourceDefinition<any, any>> = Record<string, never>,
> extends AssetSpecOptions {
  /** Upstream assets: `{ name: dep }` passes values; `[dep, ...]` only orders. Default none. */
  deps?: Deps;
  /** Code version. Default: none (every materialization gets a unique data version). */
  codeVersion?: string;
  /** zod schema of the run config; `ctx.config` is typed from it. Default: no config. */
  config?: Cfg;
  /** Resources the function needs; `ctx.resources` is typed from them. Default `{}`. */
  resources?: Res;
  /** IO manager name. Default `default`. */
  io?: string;
  /** Retry policy. Default: no retries. */
  retry?: RetryPolicy;
  /** Time limit per attempt in ms. Default: none. */
  timeoutMs?: number;
  /** Automation condition, evaluated by the daemon. Default: none. */
  automation?: AutomationConditionLike;
  /** How backfills split partitions into runs. Default `{ type: 'multi-run' }`. */
  backfillPolicy?: BackfillPolicy;
  /** Concurrency pool (the daemon limits concurrent steps per pool). Default: none. */
  pool?: string;
}

/** The function of `asset()`. */
export type AssetFn<Deps, Cfg, Res, R> = (
  inputs: InputsOf<Deps>,
  ctx: AssetContext<ConfigOf<Cfg>, ResourceValues<Res>>,
) => R;
