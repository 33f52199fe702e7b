import type { Clock } from '@cairn/core';
import type { Kysely } from 'kysely';
import { type AutomationDatabase, automationDb } from '../automation/automation-tables.js';
import type { EventRecord, StoredEvent } from '../storage/index.js';
import type { Storage } from '../storage/storage.js';

/** What an alert is about. */
export type AlertEventType = 'run_failure' | 'check_failure' | 'freshness_breach';

/** The alert kinds, for validation. */
export const ALERT_EVENT_TYPES: readonly AlertEventType[] = [
  'run_failure',
  'check_failure',
  'freshness_breach',
];

/** One webhook: where to POST and for which events (default all). */
export interface AlertTarget {
  url: string;
  events?: AlertEventType[];
}

/** Delivery options of the alert queue. */
export interface AlertDeliveryOptions {
  /** Attempts per delivery, the first included. Default 5. */
  maxAttempts?: number;
  /** Delay before the first retry; doubled each retry (1 s, 2 s, 4 s, 8 s by default). Default 1000. */
  baseDelayMs?: number;
  /** Each attempt is aborted after this long. Default 10000. */
  timeoutMs?: number;
}

/** A recorded delivery. */
export interface AlertDelivery {
  id: number;
  url: string;
  event: AlertEventType;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  httpStatus: number | null;
  error: string | null;
  payload: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

/**
 * Sends alerts to webhooks from an async queue: `notify()` returns at once, each delivery POSTs the
 * JSON payload and retries failures (network errors, non-2xx answers) with exponential backoff up
 * to `maxAttempts`, and its outcome is recorded in `alert_deliveries`. A slow or failing webhook
 * delays only its own deliveries, never the daemon or the other webhooks.
 *
 * Run and check failures are read from the event log after a persisted cursor (`follow()` wakes
 * the reader; `resume()` catches up when this daemon becomes the leader and redelivers deliveries
 * a dead leader left pending), so a crash or a leader hand-over loses no alert. Delivery is at
 * least once: payloads carry the `eventId`, for receivers that de-duplicate.
 */
export class AlertDispatcher {
  readonly #targets: readonly AlertTarget[];
  readonly #db: Kysely<AutomationDatabase>;
  readonly #clock: Clock;
  readonly #maxAttempts: number;
  readonly #baseDelayMs: number;
  readonly #timeoutMs: number;
  readonly #pending = new Set<Promise<void>>();
  readonly #timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  #stopped = false;
  #gate: () => boolean = () => true;
  readonly #storage: Storage;
  /** Deliveries being attempted by this process (ids), so `resume()` leaves them alone. */
  readonly #inFlight = new Set<number>();
  #reading: Promise<void> | undefined;
  #again = false;
  #startAt: number | undefined;
  /** The stored cursor as this leader last read or wrote it (re-read when it becomes leader). */
  #known: number | undefined;

  constructor(options: {
    storage: Storage;
    targets: readonly AlertTarget[];
    clock: Clock;
    delivery?: AlertDeliveryOptions;
  }) {
    this.#targets = options.targets;
    this.#storage = options.storage;
    this.#db = automationDb(options.storage);
    this.#clock = options.clock;
    this.#maxAttempts = options.delivery?.maxAttempts ?? 5;
    this.#baseDelayMs = options.delivery?.baseDelayMs ?? 1000;
    this.#timeoutMs = options.delivery?.timeoutMs ?? 10_000;
  }

  /**
   * Sends alerts only while `gate()` is true (the daemon passes "this daemon leads": every daemon
   * sharing a database sees every event, and one of them must alert).
   */
  onlyWhen(gate: () => boolean): void {
    this.#gate = gate;
  }

  /** Queues the alert for every webhook that wants `event`; never throws, never waits. */
  notify(event: AlertEventType, details: Record<string, unknown>): void {
    if (this.#stopped || !this.#gate()) return;
    const payload = { event, timestamp: this.#clock.now().toISOString(), ...details };
    for (const target of this.#targets) {
      if (target.events !== undefined && !target.events.includes(event)) continue;
      this.#track(this.#deliver(target.url, event, payload));
    }
  }

  #track(delivery: Promise<void>): void {
    const p = delivery.catch(() => undefined);
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p));
  }

  #wake(): void {
    if (this.#reading !== undefined) {
      this.#again = true;
      return;
    }
    this.#reading = this.#readLog()
      .catch(() => undefined) // storage closing; the cursor keeps the place for the next leader
      .finally(() => {
        this.#reading = undefined;
        if (this.#again && !this.#stopped) {
          this.#again = false;
          this.#wake();
        }
      });
  }

  /** Alerts on the failures after the cursor, page by page, moving the cursor after each page. */
  async #readLog(): Promise<void> {
    let cursor = this.#known ?? (await this.#cursor());
    for (;;) {
      if (this.#stopped || !this.#gate()) return;
      const page = await this.#storage.getEventsAfter(cursor, {
        limit: 500,
        types: ['run_finished', 'check_evaluation'],
      });
      if (page.records.length === 0) return;
      for (const record of page.records) {
        const alert = alertOf(record.event);
        if (alert !== undefined) this.notify(alert.event, { ...alert.details, eventId: record.id });
      }
      cursor = page.records[page.records.length - 1]!.id;
      await this.#db
        .updateTable('instigator_state')
        .set({ event_cursor: cursor, updated_at: this.#clock.now().toISOString() })
        .where('kind', '=', CURSOR_KIND)
        .where('name', '=', CURSOR_NAME)
        .execute();
      this.#known = cursor;
      if (page.nextCursor === undefined) return;
    }
  }

  /** The alert cursor; created at the log's end the first time (history is not alerted). */
  async #cursor(): Promise<number> {
    const read = () =>
      this.#db
        .selectFrom('instigator_state')
        .select('event_cursor')
        .where('kind', '=', CURSOR_KIND)
        .where('name', '=', CURSOR_NAME)
        .executeTakeFirst();
    const row = await read();
    if (row?.event_cursor != null) return Number(row.event_cursor);
    const at = this.#clock.now().toISOString();
    await this.#db
      .insertInto('instigator_state')
      .values({
        kind: CURSOR_KIND,
        name: CURSOR_NAME,
        status: 'running',
        cursor: null,
        event_cursor: this.#startAt ?? (await this.#storage.getLastEventId()),
        last_evaluated_at: null,
        updated_at: at,
      })
      .onConflict((oc) => oc.columns(['kind', 'name']).doNothing())
      .execute();
    return Number((await read())?.event_cursor ?? 0);
  }

  /**
   * Where a database that never had alerts starts alerting: after event `eventId` (the log's end
   * when the daemon started), so history is not alerted and nothing after the start is missed.
   */
  startAfter(eventId: number): void {
    this.#startAt = eventId;
  }

  /**
   * A committed event was seen: while the gate is open, reads the log after the alert cursor and
   * alerts on run and check failures found there (one reader; calls coalesce).
   */
  follow(record?: EventRecord): void {
    if (this.#stopped || this.#targets.length === 0 || !this.#gate()) return;
    if (record !== undefined && alertOf(record.event) === undefined) return;
    this.#wake();
  }

  /**
   * Becoming the leader: alerts on failures committed since the cursor (events that arrived while
   * no daemon led), and redelivers deliveries left `pending` by a process that died.
   */
  async resume(): Promise<void> {
    if (this.#stopped || this.#targets.length === 0) return;
    // Another leader may have moved the cursor meanwhile.
    await this.#reading;
    this.#known = undefined;
    this.#wake();
    await this.#reading;
    const stuck = await this.#db
      .selectFrom('alert_deliveries')
      .selectAll()
      .where('status', '=', 'pending')
      .orderBy('id', 'asc')
      .execute();
    for (const row of stuck) {
      if (this.#inFlight.has(row.id)) continue;
      this.#track(this.#attempts(row.id, row.url, row.payload, row.attempts + 1));
    }
  }

  /** Resolves once every queued delivery has ended (delivered or failed for good). */
  async idle(): Promise<void> {
    while (this.#pending.size > 0 || this.#reading !== undefined) {
      await this.#reading;
      await Promise.all([...this.#pending]);
    }
  }

  /** Stops: no new alerts; deliveries waiting for a retry stop now and stay pending. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers) {
      clearTimeout(t.timer);
      t.resolve();
    }
    this.#timers.clear();
    await this.idle();
  }

  /** Recorded deliveries, newest first. */
  async deliveries(options: { limit?: number } = {}): Promise<AlertDelivery[]> {
    const rows = await this.#db
      .selectFrom('alert_deliveries')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(options.limit ?? 100)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      url: r.url,
      event: r.event as AlertEventType,
      status: r.status as AlertDelivery['status'],
      attempts: r.attempts,
      httpStatus: r.http_status,
      error: r.error,
      payload: JSON.parse(r.payload) as Record<string, unknown>,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
  }

  async #deliver(url: string, event: AlertEventType, payload: object): Promise<void> {
    const body = JSON.stringify(payload);
    const at = this.#clock.now().toISOString();
    const row = await this.#db
      .insertInto('alert_deliveries')
      .values({
        url,
        event,
        status: 'pending',
        attempts: 0,
        http_status: null,
        error: null,
        payload: body,
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await this.#attempts(row.id, url, body, 1);
  }

  /** Attempts a recorded delivery from attempt `first` on, recording each outcome. */
  async #attempts(id: number, url: string, body: string, first: number): Promise<void> {
    this.#inFlight.add(id);
    try {
      await this.#attemptsFrom(id, url, body, first);
    } finally {
      this.#inFlight.delete(id);
    }
  }

  async #attemptsFrom(id: number, url: string, body: string, first: number): Promise<void> {
    let httpStatus: number | null = null;
    let error: string | null = null;
    if (first > this.#maxAttempts) {
      await this.#record(id, 'failed', first - 1, httpStatus, 'gave up after a restart');
      return;
    }
    for (let attempt = first; attempt <= this.#maxAttempts; attempt++) {
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'cairn-daemon' },
          body,
          signal: AbortSignal.timeout(this.#timeoutMs),
        });
        httpStatus = res.status;
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) {
          await this.#record(id, 'delivered', attempt, httpStatus, null);
          return;
        }
        error = `HTTP ${res.status}`;
      } catch (err) {
        error =
          err instanceof Error
            ? `${err.message}${err.cause instanceof Error ? `: ${err.cause.message}` : ''}`
            : String(err);
      }
      await this.#record(id, 'pending', attempt, httpStatus, error);
      // Stopping: it stays pending, and the next leader's `resume()` delivers it.
      if (this.#stopped) return;
      if (attempt === this.#maxAttempts) {
        await this.#record(id, 'failed', attempt, httpStatus, error);
        return;
      }
      await this.#wait(this.#baseDelayMs * 2 ** (attempt - 1));
      if (this.#stopped) return; // stopped while waiting: stays pending for the next leader
    }
  }

  #wait(ms: number): Promise<void> {
    // Real timers: backoff is about the remote server recovering, not about the daemon's clock.
    return new Promise((resolve) => {
      const entry = {
        resolve,
        timer: setTimeout(() => {
          this.#timers.delete(entry);
          resolve();
        }, ms),
      };
      entry.timer.unref();
      this.#timers.add(entry);
    });
  }

  async #record(
    id: number,
    status: AlertDelivery['status'],
    attempts: number,
    httpStatus: number | null,
    error: string | null,
  ): Promise<void> {
    await this.#db
      .updateTable('alert_deliveries')
      .set({
        status,
        attempts,
        http_status: httpStatus,
        error,
        updated_at: this.#clock.now().toISOString(),
      })
      .where('id', '=', id)
      .execute();
  }
}

/** Where the alert reader keeps its place (a row of `instigator_state`). */
const CURSOR_KIND = 'alerts';
const CURSOR_NAME = 'events';

/** The alert a committed event calls for, if any. */
function alertOf(
  e: StoredEvent,
): { event: AlertEventType; details: Record<string, unknown> } | undefined {
  if (e.type === 'run_finished' && e.status === 'failure') {
    return {
      event: 'run_failure',
      details: { runId: e.runId, error: e.error?.message ?? null, finishedAt: e.timestamp },
    };
  }
  if (e.type === 'check_evaluation' && !e.passed) {
    return {
      event: 'check_failure',
      details: {
        assetKey: e.assetKey,
        partitionKey: e.partitionKey ?? null,
        checkName: e.checkName,
        severity: e.severity,
        runId: e.runId ?? null,
        description: e.description ?? null,
      },
    };
  }
  return undefined;
}
