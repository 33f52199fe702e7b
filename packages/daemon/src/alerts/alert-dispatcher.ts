import type { Clock } from '@cairn/core';
import type { Kysely } from 'kysely';
import { type AutomationDatabase, automationDb } from '../automation/automation-tables.js';
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

  constructor(options: {
    storage: Storage;
    targets: readonly AlertTarget[];
    clock: Clock;
    delivery?: AlertDeliveryOptions;
  }) {
    this.#targets = options.targets;
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
      const p = this.#deliver(target.url, event, payload).catch(() => undefined);
      this.#pending.add(p);
      void p.finally(() => this.#pending.delete(p));
    }
  }

  /** Resolves once every queued delivery has ended (delivered or failed for good). */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  /** Stops: no new alerts; deliveries waiting for a retry give up now (recorded as failed). */
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
    let httpStatus: number | null = null;
    let error: string | null = null;
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
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
          await this.#record(row.id, 'delivered', attempt, httpStatus, null);
          return;
        }
        error = `HTTP ${res.status}`;
      } catch (err) {
        error =
          err instanceof Error
            ? `${err.message}${err.cause instanceof Error ? `: ${err.cause.message}` : ''}`
            : String(err);
      }
      await this.#record(row.id, 'pending', attempt, httpStatus, error);
      if (attempt === this.#maxAttempts || this.#stopped) {
        await this.#record(row.id, 'failed', attempt, httpStatus, error);
        return;
      }
      await this.#wait(this.#baseDelayMs * 2 ** (attempt - 1));
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
