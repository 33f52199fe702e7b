import type { Kysely } from 'kysely';
import { type AutomationDatabase, automationDb } from '../automation/automation-tables.js';
import type { Storage } from '../storage/storage.js';

/** Schedules and sensors are "instigators": things that request runs on their own. */
export type InstigatorKind = 'schedule' | 'sensor';

/** Whether a schedule or sensor fires. */
export type InstigatorStatus = 'running' | 'stopped';

/** The stored state of a schedule or sensor. */
export interface InstigatorStateRecord {
  status: InstigatorStatus;
  cursor: string | null;
  eventCursor: number | null;
  lastEvaluatedAt: string | null;
}

/** The outcome of one tick. */
export type TickStatus = 'claimed' | 'requested' | 'skipped' | 'failed';

/** One recorded schedule or sensor tick. */
export type TickRecord = {
  /** The tick's id (the paging cursor). */
  id: number;
  /** Schedules: the tick instant; sensors: the evaluation instant (ISO). */
  tickKey: string;
  status: TickStatus;
  runIds: string[];
  /** Why it was skipped. */
  reason: string | null;
  /** Why it failed. */
  error: string | null;
  /** Sensors: the cursor after the tick. */
  cursor: string | null;
  createdAt: string;
};

/**
 * Reads and writes schedule and sensor state and ticks. A tick is claimed by inserting its
 * UNIQUE (kind, name, tick key) row: of two daemons sharing the database only the one whose
 * insert lands fires it. Single statements only (the event writer shares SQLite's connection).
 */
export class InstigatorStore {
  readonly #db: Kysely<AutomationDatabase>;

  constructor(storage: Storage) {
    this.#db = automationDb(storage);
  }

  /** The state, created with the defaults when the instigator is new. */
  async ensure(
    kind: InstigatorKind,
    name: string,
    defaults: { status: InstigatorStatus; cursor: string | null },
    at: string,
  ): Promise<InstigatorStateRecord> {
    await this.#db
      .insertInto('instigator_state')
      .values({
        kind,
        name,
        status: defaults.status,
        cursor: defaults.cursor,
        event_cursor: null,
        last_evaluated_at: null,
        updated_at: at,
      })
      .onConflict((oc) => oc.columns(['kind', 'name']).doNothing())
      .execute();
    return (await this.get(kind, name))!;
  }

  /** The stored state, or undefined. */
  async get(kind: InstigatorKind, name: string): Promise<InstigatorStateRecord | undefined> {
    const row = await this.#db
      .selectFrom('instigator_state')
      .selectAll()
      .where('kind', '=', kind)
      .where('name', '=', name)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return {
      status: row.status === 'stopped' ? 'stopped' : 'running',
      cursor: row.cursor,
      eventCursor: row.event_cursor === null ? null : Number(row.event_cursor),
      lastEvaluatedAt: row.last_evaluated_at,
    };
  }

  /** Updates some fields of the state. */
  async update(
    kind: InstigatorKind,
    name: string,
    fields: Partial<InstigatorStateRecord>,
    at: string,
  ): Promise<void> {
    await this.#db
      .updateTable('instigator_state')
      .set({
        updated_at: at,
        ...(fields.status === undefined ? {} : { status: fields.status }),
        ...(fields.cursor === undefined ? {} : { cursor: fields.cursor }),
        ...(fields.eventCursor === undefined ? {} : { event_cursor: fields.eventCursor }),
        ...(fields.lastEvaluatedAt === undefined
          ? {}
          : { last_evaluated_at: fields.lastEvaluatedAt }),
      })
      .where('kind', '=', kind)
      .where('name', '=', name)
      .execute();
  }

  /**
   * Claims a tick: its id when this call inserted it, undefined when it was claimed before. A tick
   * whose outcome is known up front (a skipped one) is inserted with it, so no crash can leave it
   * `claimed` and have it fired later.
   */
  async claim(
    kind: InstigatorKind,
    name: string,
    tickKey: string,
    at: string,
    skippedBecause?: string,
  ): Promise<number | undefined> {
    const row = await this.#db
      .insertInto('instigator_ticks')
      .values({
        kind,
        name,
        tick_key: tickKey,
        status: skippedBecause === undefined ? 'claimed' : 'skipped',
        run_ids: '[]',
        reason: skippedBecause ?? null,
        error: null,
        cursor: null,
        created_at: at,
      })
      .onConflict((oc) => oc.columns(['kind', 'name', 'tick_key']).doNothing())
      .returning('id')
      .executeTakeFirst();
    return row?.id;
  }

  /**
   * Ticks claimed but never finished, claimed at or before `claimedBefore` (ISO), oldest first:
   * the process that claimed them died between the claim and the outcome.
   */
  async unfinishedTicks(
    kind: InstigatorKind,
    name: string,
    claimedBefore: string,
  ): Promise<{ id: number; tickKey: string }[]> {
    const rows = await this.#db
      .selectFrom('instigator_ticks')
      .select(['id', 'tick_key'])
      .where('kind', '=', kind)
      .where('name', '=', name)
      .where('status', '=', 'claimed')
      .where('created_at', '<=', claimedBefore)
      .orderBy('id', 'asc')
      .execute();
    return rows.map((r) => ({ id: r.id, tickKey: r.tick_key }));
  }

  /** Records a claimed tick's outcome. */
  async finish(
    id: number,
    outcome: {
      status: TickStatus;
      runIds?: string[];
      reason?: string;
      error?: string;
      cursor?: string | null;
    },
  ): Promise<void> {
    await this.#db
      .updateTable('instigator_ticks')
      .set({
        status: outcome.status,
        run_ids: JSON.stringify(outcome.runIds ?? []),
        reason: outcome.reason ?? null,
        error: outcome.error ?? null,
        cursor: outcome.cursor ?? null,
      })
      .where('id', '=', id)
      .execute();
  }

  /** Ticks newest first; `before` is the id of the last tick of the previous page. */
  async ticks(
    kind: InstigatorKind,
    name: string,
    options: { limit?: number; before?: number | string } = {},
  ): Promise<TickRecord[]> {
    let q = this.#db
      .selectFrom('instigator_ticks')
      .selectAll()
      .where('kind', '=', kind)
      .where('name', '=', name)
      .orderBy('id', 'desc');
    if (options.before !== undefined) q = q.where('id', '<', Number(options.before));
    const rows = await q.limit(options.limit ?? 100).execute();
    return rows.map((r) => ({
      id: r.id,
      tickKey: r.tick_key,
      status: r.status as TickStatus,
      runIds: JSON.parse(r.run_ids) as string[],
      reason: r.reason,
      error: r.error,
      cursor: r.cursor,
      createdAt: r.created_at,
    }));
  }

  /** Claims a sensor run key: true when this call recorded it (it was never submitted before). */
  async claimRunKey(sensor: string, runKey: string, at: string): Promise<boolean> {
    const row = await this.#db
      .insertInto('sensor_run_keys')
      .values({ sensor, run_key: runKey, run_id: null, created_at: at })
      .onConflict((oc) => oc.columns(['sensor', 'run_key']).doNothing())
      .returning('run_key')
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * The run a claimed run key submitted: a run id, null when the key was claimed but its run never
   * recorded (the claimer died in between), undefined when the key was never claimed.
   */
  async runKeyRun(sensor: string, runKey: string): Promise<string | null | undefined> {
    const row = await this.#db
      .selectFrom('sensor_run_keys')
      .select('run_id')
      .where('sensor', '=', sensor)
      .where('run_key', '=', runKey)
      .executeTakeFirst();
    return row === undefined ? undefined : row.run_id;
  }

  /** Records the run a claimed run key submitted. */
  async setRunKeyRun(sensor: string, runKey: string, runId: string): Promise<void> {
    await this.#db
      .updateTable('sensor_run_keys')
      .set({ run_id: runId })
      .where('sensor', '=', sensor)
      .where('run_key', '=', runKey)
      .execute();
  }
}
