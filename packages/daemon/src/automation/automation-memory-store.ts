import type { AssetAutomationMemory, AutomationMemory } from '@cairn/core';
import type { Kysely } from 'kysely';
import type { AutomationDatabase } from './automation-tables.js';

import type { TimeSlicer } from './time-slicer.js';

const HEADER_KEY = 'automation:memory';
const ASSET_PREFIX = 'automation:memory:asset:';
/** Rows per multi-row upsert: 2 bound values each, far below every dialect's limit. */
const BATCH = 500;

/**
 * Persists the automation memory between ticks in `automation_state`, one row per asset plus a
 * small header (evaluation time, cursor), and writes only the assets whose memory changed: at
 * 10,000 assets the whole memory is ~850 KB of JSON, of which a tick usually changes a few percent.
 * Reads the older single-row form (the whole memory under `automation:memory`) too.
 */
export class AutomationMemoryStore {
  readonly #db: Kysely<AutomationDatabase>;
  /** Asset key → the JSON last written for it. */
  readonly #written = new Map<string, string>();

  constructor(db: Kysely<AutomationDatabase>) {
    this.#db = db;
  }

  /** The stored memory, or undefined before the first tick. */
  async read(): Promise<AutomationMemory | undefined> {
    const header = await this.#db
      .selectFrom('automation_state')
      .select('value')
      .where('key', '=', HEADER_KEY)
      .executeTakeFirst();
    if (header === undefined) return undefined;
    const memory = JSON.parse(header.value) as AutomationMemory;
    const assets: Record<string, AssetAutomationMemory> = { ...(memory.assets ?? {}) };
    const rows = await this.#db
      .selectFrom('automation_state')
      .select(['key', 'value'])
      .where('key', 'like', `${ASSET_PREFIX}%`)
      .execute();
    for (const r of rows) {
      const assetKey = r.key.slice(ASSET_PREFIX.length);
      assets[assetKey] = JSON.parse(r.value) as AssetAutomationMemory;
      this.#written.set(assetKey, r.value);
    }
    return { ...memory, assets };
  }

  /** Writes the header and the assets whose memory differs from what was last written. */
  async write(memory: AutomationMemory, slicer?: TimeSlicer): Promise<void> {
    const changed: { key: string; value: string }[] = [];
    for (const [assetKey, m] of Object.entries(memory.assets)) {
      await slicer?.maybeYield();
      const text = JSON.stringify(m);
      if (this.#written.get(assetKey) === text) continue;
      this.#written.set(assetKey, text);
      changed.push({ key: `${ASSET_PREFIX}${assetKey}`, value: text });
    }
    const gone = [...this.#written.keys()].filter((k) => !Object.hasOwn(memory.assets, k));
    for (const k of gone) this.#written.delete(k);
    const header = JSON.stringify({ ...memory, assets: {} });
    changed.push({ key: HEADER_KEY, value: header });
    for (let i = 0; i < changed.length; i += BATCH) {
      await slicer?.maybeYield();
      await this.#db
        .insertInto('automation_state')
        .values(changed.slice(i, i + BATCH))
        .onConflict((oc) =>
          oc.column('key').doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })),
        )
        .execute();
    }
    for (let i = 0; i < gone.length; i += BATCH) {
      await this.#db
        .deleteFrom('automation_state')
        .where(
          'key',
          'in',
          gone.slice(i, i + BATCH).map((k) => `${ASSET_PREFIX}${k}`),
        )
        .execute();
    }
  }
}
