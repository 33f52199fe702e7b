import type { Kysely } from 'kysely';
import type { CairnDatabase } from './schema.js';
import type { StoredEvent } from './stored-event.js';

/**
 * The keys of every dynamic partitions definition, held in memory so that core can ask for them
 * synchronously (`DynamicPartitionsReader`) on any dialect. Loaded when the storage opens and
 * updated after each commit from the committed events with the same rules as the table (add
 * appends unknown keys, remove deletes), so it always equals `dynamic_partitions` for the one
 * process that writes the database.
 */
export class DynamicPartitionsCache {
  #keys = new Map<string, readonly string[]>();

  /** Replaces the cache with the table's content. */
  async load(db: Kysely<CairnDatabase>): Promise<void> {
    const rows = await db
      .selectFrom('dynamic_partitions')
      .select(['name', 'key'])
      .orderBy('name')
      .orderBy('position')
      .execute();
    const keys = new Map<string, string[]>();
    for (const row of rows) {
      const list = keys.get(row.name);
      if (list === undefined) keys.set(row.name, [row.key]);
      else list.push(row.key);
    }
    this.#keys = new Map([...keys].map(([name, list]) => [name, Object.freeze(list)]));
  }

  /** Applies committed events (only dynamic partition events matter). */
  apply(events: readonly StoredEvent[]): void {
    let working: Map<string, string[]> | undefined;
    for (const event of events) {
      if (
        event.type !== 'dynamic_partitions_added' &&
        event.type !== 'dynamic_partitions_removed'
      ) {
        continue;
      }
      working ??= new Map();
      let list = working.get(event.name);
      if (list === undefined) {
        list = [...(this.#keys.get(event.name) ?? [])];
        working.set(event.name, list);
      }
      if (event.type === 'dynamic_partitions_added') {
        const present = new Set(list);
        for (const key of event.keys) {
          if (!present.has(key)) {
            present.add(key);
            list.push(key);
          }
        }
      } else {
        const removed = new Set(event.keys);
        working.set(
          event.name,
          list.filter((k) => !removed.has(k)),
        );
      }
    }
    if (working === undefined) return;
    for (const [name, list] of working) {
      if (list.length === 0) this.#keys.delete(name);
      else this.#keys.set(name, Object.freeze(list));
    }
  }

  /** The keys of `name` in insertion order (empty when it has none). */
  get(name: string): readonly string[] {
    return this.#keys.get(name) ?? EMPTY;
  }
}

const EMPTY: readonly string[] = Object.freeze([]);
