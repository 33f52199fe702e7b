import type { Definitions, ResourceDefinition } from '@cairn/core';

/**
 * Sets up each resource the checks need once (the definitions' own resource wins over the one a
 * check declares, as in runs) and tears them down in reverse order at the end.
 */
export class ResourceCache {
  readonly #values = new Map<string, unknown>();
  readonly #done: { def: ResourceDefinition<any, any>; value: unknown }[] = [];

  constructor(private readonly defs: Definitions) {}

  /** The values of the declared resources, setting up the ones not set up yet. */
  async valuesFor(
    declared: Readonly<Record<string, ResourceDefinition<any, any>>>,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const [name, own] of Object.entries(declared)) {
      if (!this.#values.has(name)) {
        const def = this.defs.resources[name] ?? own;
        const value = await def.setup({ config: def.defaultConfig, signal });
        this.#values.set(name, value);
        this.#done.push({ def, value });
      }
      out[name] = this.#values.get(name);
    }
    return out;
  }

  /** Tears every resource down in reverse setup order; teardown errors are ignored (the checks already ran). */
  async teardown(): Promise<void> {
    for (const { def, value } of this.#done.reverse()) {
      try {
        await def.teardown?.(value);
      } catch {
        // A failing teardown cannot change a verdict that is already recorded.
      }
    }
    this.#done.length = 0;
  }
}
