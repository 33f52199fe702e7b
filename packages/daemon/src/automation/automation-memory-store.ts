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
  /**
   * Asset key → the memory object last written for it. A tick hands back the very same object for
   * an asset it did not evaluate (core never mutates memory), so most assets are skipped without
   * serializing them: at 10,000 quiet assets that is most of the write's cost.
   */
  readonly #writtenObjects = new Map<string, AssetAutomationMemory>();

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
      const m = JSON.parse(r.value) as AssetAutomationMemory;
      assets[assetKey] = m;
      this.#written.set(assetKey, r.value);
      this.#writtenObjects.set(assetKey, m);
    }
    return { ...memory, assets };
  }

  /**
   * Writes the header and the assets whose memory differs from what was last written. What was
   * written is remembered only once the statements succeeded: after a failed write (a full disk)
   * the next one writes the same rows again.
   */
  async write(memory: AutomationMemory, slicer?: TimeSlicer): Promise<void> {
    const changed: { assetKey: string; memory: AssetAutomationMemory; value: string }[] = [];
    for (const assetKey in memory.assets) {
      const m = memory.assets[assetKey]!;
      if (this.#writtenObjects.get(assetKey) === m) continue;
      await slicer?.maybeYield();
      const text = JSON.stringify(m);
      // Same content as stored: only the object is new.
      if (this.#written.get(assetKey) === text) this.#writtenObjects.set(assetKey, m);
      else changed.push({ assetKey, memory: m, value: text });
    }
    const gone = [...this.#written.keys()].filter((k) => !Object.hasOwn(memory.assets, k));
    const rows = changed.map((c) => ({ key: `${ASSET_PREFIX}${c.assetKey}`, value: c.value }));
    rows.push({ key: HEADER_KEY, value: JSON.stringify({ ...memory, assets: {} }) });
    for (let i = 0; i < rows.length; i += BATCH) {
      await slicer?.maybeYield();
      await this.#db
        .insertInto('automation_state')
        .values(rows.slice(i, i + BATCH))
        .onConflict((oc) =>
          oc.column('key').doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })),
        )
        .execute();
    }
    for (const c of changed) {
      this.#written.set(c.assetKey, c.value);
      this.#writtenObjects.set(c.assetKey, c.memory);
    }
    for (let i = 0; i < gone.length; i += BATCH) {
      const batch = gone.slice(i, i + BATCH);
      await this.#db
        .deleteFrom('automation_state')
        .where(
          'key',
          'in',
          batch.map((k) => `${ASSET_PREFIX}${k}`),
        )
        .execute();
      for (const k of batch) {
        this.#written.delete(k);
        this.#writtenObjects.delete(k);
      }
    }
  }
}
