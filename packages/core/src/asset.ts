import type { z } from 'zod';
import { assetKey } from './asset-key.js';
import type {
  AnyAssetDefinition,
  AssetDefinition,
  AssetFn,
  AssetOptions,
  AssetSpecOptions,
  ComputeFn,
  DepInput,
  DepsInput,
  OutputValue,
  ResolvedDep,
  RetryPolicy,
} from './asset-types.js';
import { CairnError } from './errors.js';
import type { ResourceDefinition } from './resource.js';

/** True when `x` is an asset handle. */
export function isAssetDefinition(x: unknown): x is AnyAssetDefinition {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'asset';
}

function resolveDep(dep: DepInput, inputName: string | undefined, owner: string): ResolvedDep {
  if (typeof dep === 'string') return { key: assetKey(dep), inputName, mapping: undefined };
  if (isAssetDefinition(dep)) return { key: dep.key, inputName, mapping: undefined };
  if (typeof dep === 'object' && dep !== null && 'asset' in dep) {
    const upstream = dep.asset;
    const key = typeof upstream === 'string' ? assetKey(upstream) : upstream?.key;
    if (typeof key !== 'string') {
      throw new CairnError(
        'CAIRN_INVALID_OPTIONS',
        `Asset "${owner}" has a dependency${inputName ? ` "${inputName}"` : ''} whose "asset" is neither an asset handle nor a key string.`,
        { asset: owner, input: inputName },
      );
    }
    return { key, inputName, mapping: dep.mapping };
  }
  throw new CairnError(
    'CAIRN_INVALID_OPTIONS',
    `Asset "${owner}" has a dependency${inputName ? ` "${inputName}"` : ''} that is not an asset handle, a key string or { asset, mapping }. Did you import the upstream asset before it was defined?`,
    { asset: owner, input: inputName },
  );
}

/** Resolves `deps` (a record or an array) into a list of ResolvedDep. */
export function resolveDeps(deps: DepsInput | undefined, owner: string): ResolvedDep[] {
  if (deps === undefined) return [];
  if (Array.isArray(deps)) return deps.map((d) => resolveDep(d, undefined, owner));
  return Object.entries(deps as Record<string, DepInput>).map(([name, d]) =>
    resolveDep(d, name, owner),
  );
}

function checkRetry(retry: RetryPolicy | undefined, owner: string): RetryPolicy | undefined {
  if (retry === undefined) return undefined;
  const bad = (what: string) =>
    new CairnError(
      'CAIRN_INVALID_OPTIONS',
      `Asset "${owner}" has an invalid retry policy: ${what}.`,
      {
        asset: owner,
        retry,
      },
    );
  if (!Number.isInteger(retry.maxRetries) || retry.maxRetries < 0)
    throw bad(`maxRetries must be a whole number >= 0, got ${retry.maxRetries}`);
  if (retry.delayMs !== undefined && !(retry.delayMs >= 0))
    throw bad(`delayMs must be >= 0, got ${retry.delayMs}`);
  if (typeof retry.jitter === 'number' && !(retry.jitter > 0 && retry.jitter <= 1))
    throw bad(`jitter must be true, false or a fraction in (0, 1], got ${retry.jitter}`);
  return Object.freeze({ ...retry });
}

/** Resolves the options shared by every kind of asset; `compute` and deps are added by the caller. */
export function resolveAssetSpec(
  options: AssetSpecOptions & Partial<AssetOptions<DepsInput, z.ZodType, Record<string, never>>>,
  extra: Pick<AssetDefinition, 'compute' | 'external' | 'multi'> & { deps?: ResolvedDep[] },
): AnyAssetDefinition {
  if (typeof options !== 'object' || options === null) {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      'asset() needs an options object with a "key".',
      {},
    );
  }
  const key = assetKey(options.key);
  if (options.timeoutMs !== undefined && !(options.timeoutMs > 0)) {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      `Asset "${key}" has timeoutMs ${options.timeoutMs}; give a positive number of milliseconds or leave it out.`,
      { asset: key, timeoutMs: options.timeoutMs },
    );
  }
  const bp = options.backfillPolicy;
  if (bp?.type === 'single-run' && bp.maxPartitionsPerRun !== undefined) {
    if (!Number.isInteger(bp.maxPartitionsPerRun) || bp.maxPartitionsPerRun < 1) {
      throw new CairnError(
        'CAIRN_INVALID_OPTIONS',
        `Asset "${key}" has backfillPolicy.maxPartitionsPerRun ${bp.maxPartitionsPerRun}; give a whole number >= 1.`,
        { asset: key },
      );
    }
  }
  return Object.freeze({
    kind: 'asset' as const,
    key,
    deps: Object.freeze(extra.deps ?? resolveDeps(options.deps, key)),
    partitions: options.partitions,
    description: options.description,
    group: options.group ?? 'default',
    owners: Object.freeze([...(options.owners ?? [])]),
    tags: Object.freeze({ ...(options.tags ?? {}) }),
    kinds: Object.freeze([...(options.kinds ?? [])]),
    metadata: Object.freeze({ ...(options.metadata ?? {}) }),
    codeVersion: options.codeVersion,
    configSchema: options.config,
    resources: Object.freeze({ ...(options.resources ?? {}) }),
    io: options.io ?? 'default',
    retry: checkRetry(options.retry, key),
    timeoutMs: options.timeoutMs,
    automation: options.automation,
    backfillPolicy: Object.freeze(bp ?? { type: 'multi-run' as const }),
    pool: options.pool,
    freshness: options.freshness,
    compute: extra.compute,
    external: extra.external,
    multi: extra.multi,
  });
}

const DECORATED = Symbol.for('cairn.decoratedAssets');

/** A function that is both `asset(options, fn)` and the `@asset(options)` method decorator. */
export interface AssetFactory {
  <
    const Deps extends DepsInput = readonly [],
    Cfg extends z.ZodType = never,
    Res extends Record<string, ResourceDefinition<any, any>> = Record<string, never>,
    R = unknown,
  >(
    options: AssetOptions<Deps, Cfg, Res>,
    fn: AssetFn<Deps, Cfg, Res, R>,
  ): AssetDefinition<OutputValue<R>>;
  <
    const Deps extends DepsInput = readonly [],
    Cfg extends z.ZodType = never,
    Res extends Record<string, ResourceDefinition<any, any>> = Record<string, never>,
  >(
    options: AssetOptions<Deps, Cfg, Res>,
  ): (method: (...args: any[]) => unknown, context: ClassMethodDecoratorContext) => void;
}

/**
 * Declares a software-defined asset: a key, its upstream deps and the function that computes it.
 * Returns an immutable typed handle that downstream assets reference in `deps`.
 *
 * @example
 * const rawOrders = asset({ key: 'shop/raw_orders', partitions: daily }, (_, ctx) => load(ctx.partitionKey));
 * const revenue = asset({ key: 'shop/revenue', deps: { orders: rawOrders } }, ({ orders }) => sum(orders));
 */
export const asset: AssetFactory = ((options: AssetOptions, fn?: ComputeFn) => {
  if (fn === undefined) {
    // Used as a TC39 method decorator: record the options; `assetsOf()` binds the method later.
    return (method: ComputeFn, context: ClassMethodDecoratorContext) => {
      if (context.kind !== 'method') {
        throw new CairnError('CAIRN_INVALID_OPTIONS', '@asset() decorates methods only.', {
          member: String(context.name),
        });
      }
      const metadata = context.metadata as Record<symbol, unknown> | undefined;
      if (!metadata) {
        throw new CairnError(
          'CAIRN_INVALID_OPTIONS',
          'Decorator metadata is unavailable: import @cairn/core before declaring decorated classes.',
          {},
        );
      }
      const list = Object.hasOwn(metadata, DECORATED)
        ? (metadata[DECORATED] as DecoratedAsset[])
        : [];
      metadata[DECORATED] = [...list, { options, method, isStatic: context.static }];
    };
  }
  if (typeof fn !== 'function') {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      `asset() for "${String((options as { key?: unknown })?.key)}" needs a function as its second argument.`,
      {},
    );
  }
  return resolveAssetSpec(options as never, { compute: fn, external: false, multi: undefined });
}) as AssetFactory;

interface DecoratedAsset {
  options: AssetOptions;
  method: ComputeFn;
  isStatic: boolean;
}

/**
 * Collects the assets declared with `@asset()` on a class's methods. Pass the class (instantiated
 * with no arguments when it has instance methods) or an instance; methods run bound to it.
 *
 * @example
 * class Shop { @asset({ key: 'shop/orders' }) orders() { return [] } }
 * definitions({ assets: assetsOf(Shop) });
 */
export function assetsOf(target: object): AnyAssetDefinition[] {
  const ctor = (typeof target === 'function' ? target : target.constructor) as {
    new (): object;
    [Symbol.metadata]?: Record<symbol, unknown> | null;
  };
  const list = (ctor[Symbol.metadata]?.[DECORATED] as DecoratedAsset[] | undefined) ?? [];
  let instance: object | undefined = typeof target === 'function' ? undefined : target;
  return list.map(({ options, method, isStatic }) => {
    if (!isStatic && instance === undefined) instance = new ctor();
    const self = isStatic ? ctor : instance;
    return resolveAssetSpec(options as never, {
      compute: (inputs, ctx) => method.call(self, inputs, ctx),
      external: false,
      multi: undefined,
    });
  });
}
