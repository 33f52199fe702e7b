import type { Definitions } from '../definitions-types.js';
import { CairnError } from '../errors.js';
import { isResourceDefinition, type ResourceDefinition, resourceValue } from '../resource.js';

/** The resources of one run: their values by name and how to release them. */
export interface RunResources {
  /** Set-up values by resource name. */
  readonly values: ReadonlyMap<string, unknown>;
  /** Tears every resource down in reverse setup order; returns the errors teardowns threw. */
  teardown(): Promise<{ name: string; error: unknown }[]>;
}

/**
 * Picks the definition of each named resource: the run's override, else the definitions' one,
 * else what the asset or check declared. A plain override value is used as it is.
 */
export function resolveResources(
  defs: Definitions,
  declared: Iterable<[string, ResourceDefinition<any, any>]>,
  overrides: Readonly<Record<string, unknown>> = {},
): Map<string, ResourceDefinition<any, any>> {
  const out = new Map<string, ResourceDefinition<any, any>>();
  for (const [name, own] of declared) {
    if (out.has(name)) continue;
    if (Object.hasOwn(overrides, name)) {
      const o = overrides[name];
      out.set(name, isResourceDefinition(o) ? o : resourceValue(o));
    } else out.set(name, defs.resources[name] ?? own);
  }
  return out;
}

/**
 * Validates each resource's config and sets them up one after another, in order. When one fails,
 * the ones already set up are torn down and CAIRN_RESOURCE_SETUP_FAILED (or CAIRN_INVALID_CONFIG)
 * is thrown with the user's error as `cause`.
 */
export async function setupResources(
  resources: ReadonlyMap<string, ResourceDefinition<any, any>>,
  signal: AbortSignal,
): Promise<RunResources> {
  const values = new Map<string, unknown>();
  const done: { name: string; def: ResourceDefinition<any, any>; value: unknown }[] = [];
  const teardown = async () => {
    const errors: { name: string; error: unknown }[] = [];
    for (const { name, def, value } of done.reverse()) {
      try {
        await def.teardown?.(value);
      } catch (error) {
        errors.push({ name, error });
      }
    }
    done.length = 0;
    return errors;
  };
  for (const [name, def] of resources) {
    let config: unknown = def.defaultConfig;
    if (def.configSchema !== undefined) {
      const parsed = def.configSchema.safeParse(def.defaultConfig);
      if (!parsed.success) {
        await teardown();
        const issue = parsed.error.issues[0];
        throw new CairnError(
          'CAIRN_INVALID_CONFIG',
          `Config of resource "${name}" is invalid${issue ? ` at "${issue.path.map(String).join('.')}": ${issue.message}` : ''}. Fix it with ${name}.configured({...}).`,
          { resource: name, config: def.defaultConfig },
          { cause: parsed.error },
        );
      }
      config = parsed.data;
    }
    try {
      const value = await def.setup({ config, signal });
      values.set(name, value);
      done.push({ name, def, value });
    } catch (error) {
      await teardown();
      const message = error instanceof Error ? error.message : String(error);
      throw new CairnError(
        'CAIRN_RESOURCE_SETUP_FAILED',
        `Resource "${name}" failed to set up: ${message}`,
        { resource: name },
        { cause: error },
      );
    }
  }
  return { values, teardown };
}
