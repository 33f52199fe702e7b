import type { z } from 'zod';

/** What a resource's setup receives. */
export interface ResourceSetupContext<C> {
  /** The validated config. */
  config: C;
  /** Aborted when the run is cancelled or times out while the resource is being set up. */
  signal: AbortSignal;
}

/**
 * A typed resource: a value (client, connection pool, API wrapper) set up once per run and shared
 * by the assets that declare it, then torn down when the run ends.
 */
export interface ResourceDefinition<T = unknown, Cfg extends z.ZodType = z.ZodType> {
  readonly kind: 'resource';
  /** Validates the config given in `definitions({ resources })` or `materialize({ resources })`. */
  readonly configSchema: Cfg | undefined;
  /** The config to use when none is given. */
  readonly defaultConfig: unknown;
  /** Builds the value. */
  readonly setup: (ctx: ResourceSetupContext<z.infer<Cfg>>) => T | Promise<T>;
  /** Releases the value; runs even when the run fails. */
  readonly teardown: ((value: T) => void | Promise<void>) | undefined;
  /** Returns a copy of this resource with the given config. */
  configured(config: z.input<Cfg>): ResourceDefinition<T, Cfg>;
  /** Phantom type of the value, for inference only. */
  readonly __value?: T;
}

/** Options of `resource()`. */
export interface ResourceOptions<T, Cfg extends z.ZodType> {
  /** zod schema for the config. Default: no config. */
  config?: Cfg;
  /** The config used when none is given. Default: `{}` parsed by the schema. */
  defaultConfig?: z.input<Cfg>;
  /** Builds the value from the validated config. */
  setup: (ctx: ResourceSetupContext<z.infer<Cfg>>) => T | Promise<T>;
  /** Releases the value. Default: nothing. */
  teardown?: (value: T) => void | Promise<void>;
}

/**
 * Declares a typed resource.
 *
 * @example
 * const warehouse = resource({
 *   config: z.object({ url: z.string() }),
 *   setup: ({ config }) => new Warehouse(config.url),
 *   teardown: (w) => w.close(),
 * });
 */
export function resource<T, Cfg extends z.ZodType = z.ZodType<Record<string, never>>>(
  options: ResourceOptions<T, Cfg>,
): ResourceDefinition<T, Cfg> {
  const make = (defaultConfig: unknown): ResourceDefinition<T, Cfg> =>
    Object.freeze({
      kind: 'resource' as const,
      configSchema: options.config,
      defaultConfig,
      setup: options.setup,
      teardown: options.teardown,
      configured: (config: z.input<Cfg>) => make(config),
    });
  return make(options.defaultConfig ?? {});
}

/** A resource whose value is given as it is (no setup or teardown). */
export function resourceValue<T>(value: T): ResourceDefinition<T> {
  return resource<T>({ setup: () => value });
}

/** True when `x` is a ResourceDefinition. */
export function isResourceDefinition(x: unknown): x is ResourceDefinition {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'resource';
}

/** Maps a record of resource definitions to the record of their values. */
export type ResourceValues<R> = {
  [K in keyof R]: R[K] extends ResourceDefinition<infer T, any> ? T : never;
};
