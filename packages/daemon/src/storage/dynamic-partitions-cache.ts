import type { Kysely } from 'kysely';
import type { CairnDatabase } from './schema.js';
import type { StoredEvent } from './stored-event.js';

const DYNAMIC_TYPES = ['dynamic_partitions_added', 'dynamic_partitions_removed'] as const;

/**
 * The keys of every dynamic partitions definition, held in memory so that core can ask for them
 * synchronously (`DynamicPartitionsReader`) on any dialect. Loaded when the storage opens and
 * updated after each commit from the committed events with the same rules as the table (add
 * appends unknown keys, remove deletes). Other processes sharing the database (daemons, workers,
 * a `cairn materialize`) change the table too: `startRefresh` looks every interval for dynamic
 * partition events committed since its last look (a range read on the log's primary key, so it
 * costs the events since then, not the log's size) and reloads the table when there are any.
 */
export class DynamicPartitionsCache {
  #keys = new Map<string, readonly string[]>();
  // The last event id looked at: dynamic partition events up to it are in the cache.
  #checkedId = 0;
  #timer: NodeJS.Timeout | undefined;
  #refreshing: Promise<void> | undefined;
  #reloads = 0;

  /** Replaces the cache with the table's content. */
  async load(db: Kysely<CairnDatabase>): Promise<void> {
    // Read the log's end before the table: an event committed in between is looked at again.
    const last = await db
      .selectFrom('event_log')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirst();
    const checked = Number(last?.id ?? 0);
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
    this.#checkedId = checked;
  }

  /**
   * Reloads the table when a dynamic partition event was committed (by any process) after the
   * last look; true when it reloaded.
   */
  async refresh(db: Kysely<CairnDatabase>): Promise<boolean> {
    this.#refreshing ??= (async () => {
      const row = await db
        .selectFrom('event_log')
        .select((eb) => [
          eb.fn.max('id').as('last'),
          eb.fn
            .max(
              eb
                .case()
                .when('type', 'in', [...DYNAMIC_TYPES])
                .then(eb.ref('id'))
                .end(),
            )
            .as('dynamic'),
        ])
        .where('id', '>', this.#checkedId)
        .executeTakeFirst();
      if (row?.last === null || row?.last === undefined) return;
      if (row.dynamic === null || row.dynamic === undefined) {
        this.#checkedId = Math.max(this.#checkedId, Number(row.last));
        return;
      }
      await this.load(db);
      this.#reloads++;
    })().finally(() => {
      this.#refreshing = undefined;
    });
    const before = this.#reloads;
    await this.#refreshing;
    return this.#reloads > before;
  }

  /** Refreshes every `intervalMs` (0: never) until `stopRefresh`; errors wait for the next look. */
  startRefresh(db: Kysely<CairnDatabase>, intervalMs: number): void {
    if (intervalMs <= 0 || this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      if (this.#refreshing === undefined) void this.refresh(db).catch(() => undefined);
    }, intervalMs);
    this.#timer.unref();
  }

  /** Stops the refresh loop. */
  stopRefresh(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
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
