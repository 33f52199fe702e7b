import type { Storage } from '../storage/storage.js';
import { leaseDb } from './lease-tables.js';
import { holderIsDeadLocally, newHolderId } from './process-identity.js';

/** Options of a `LeaderLease`. */
export interface LeaderLeaseOptions {
  storage: Storage;
  /** The lease's name (one row of `leases`). Default `daemon-leader`. */
  name?: string;
  /** How long a lease lasts without renewal, in seconds. Default 15. */
  ttlSeconds?: number;
  /** Seconds between renewals (and takeover attempts). Default a third of `ttlSeconds`. */
  renewSeconds?: number;
  /** Called when this process becomes the leader. */
  onAcquired: () => void | Promise<void>;
  /** Called when this process stops being the leader (lost the lease, or `stop()`). */
  onLost: () => void | Promise<void>;
  /** Receives errors of a renewal (the loop goes on). */
  onError?: (err: unknown) => void;
}

/**
 * A lease row that makes exactly one process the leader among those sharing a database. The
 * holder renews it every `renewSeconds` with a conditional UPDATE (`WHERE holder = me OR
 * expires_at < now`), which is atomic on SQLite and Postgres alike, so two contenders never both
 * win. A leader that cannot renew before `expires_at` steps down; another process takes over
 * after expiry (at once when the old holder was a dead process on the same host).
 *
 * @example
 * const lease = new LeaderLease({ storage, onAcquired: startLoops, onLost: stopLoops });
 * await lease.start(); // tries once before returning, then renews in the background
 */
export class LeaderLease {
  /** This process's holder id (`host:pid:random`). */
  readonly holder = newHolderId();
  readonly #storage: Storage;
  readonly #name: string;
  readonly #ttlMs: number;
  readonly #renewMs: number;
  readonly #options: LeaderLeaseOptions;
  #leader = false;
  #timer: NodeJS.Timeout | undefined;
  #pass: Promise<void> | undefined;
  #stopped = false;
  // Wall time (performance.now) until which our lease is surely still ours.
  #validUntil = 0;

  constructor(options: LeaderLeaseOptions) {
    this.#options = options;
    this.#storage = options.storage;
    this.#name = options.name ?? 'daemon-leader';
    this.#ttlMs = Math.round((options.ttlSeconds ?? 15) * 1000);
    this.#renewMs = Math.max(50, Math.round((options.renewSeconds ?? this.#ttlMs / 3000) * 1000));
  }

  /** True while this process holds the lease. */
  get isLeader(): boolean {
    return this.#leader;
  }

  /** Tries to take the lease once (so a lone daemon leads before `start` returns), then loops. */
  async start(): Promise<void> {
    this.#stopped = false;
    await this.#runPass();
  }

  /** Stops renewing; a leader steps down (`onLost`) and releases the lease so another takes over at once. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#pass;
    if (!this.#leader) return;
    await this.#stepDown();
    await leaseDb(this.#storage)
      .updateTable('leases')
      .set({ expires_at: 0 })
      .where('name', '=', this.#name)
      .where('holder', '=', this.holder)
      .execute()
      .catch((err) => this.#onError(err));
  }

  /** One acquire-or-renew attempt; true when this process holds the lease afterwards. */
  async tryAcquire(): Promise<boolean> {
    const db = leaseDb(this.#storage);
    // Wall time, not the daemon's Clock: a lease measures whether a process is alive, and a
    // test's manual clock would freeze it. Hosts sharing a database need synchronized clocks (NTP).
    const now = Date.now();
    const started = performance.now();
    const expiresAt = now + this.#ttlMs;
    const acquiredAt = new Date(now).toISOString();
    const inserted = await db
      .insertInto('leases')
      .values({
        name: this.#name,
        holder: this.holder,
        expires_at: expiresAt,
        acquired_at: acquiredAt,
      })
      .onConflict((oc) => oc.column('name').doNothing())
      .executeTakeFirst();
    let won = Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0;
    if (!won) {
      const renewed = await db
        .updateTable('leases')
        .set({ holder: this.holder, expires_at: expiresAt })
        .where('name', '=', this.#name)
        .where((eb) => eb.or([eb('holder', '=', this.holder), eb('expires_at', '<', now)]))
        .executeTakeFirst();
      won = Number(renewed.numUpdatedRows) > 0;
    }
    if (!won) won = await this.#takeFromDeadHolder(expiresAt);
    if (won) this.#validUntil = started + this.#ttlMs;
    return won;
  }

  /** Takes the lease from a holder that is a dead process on this host (kill -9, then restart). */
  async #takeFromDeadHolder(expiresAt: number): Promise<boolean> {
    const db = leaseDb(this.#storage);
    const row = await db
      .selectFrom('leases')
      .select('holder')
      .where('name', '=', this.#name)
      .executeTakeFirst();
    if (row === undefined || !holderIsDeadLocally(row.holder)) return false;
    const taken = await db
      .updateTable('leases')
      .set({ holder: this.holder, expires_at: expiresAt })
      .where('name', '=', this.#name)
      .where('holder', '=', row.holder)
      .executeTakeFirst();
    return Number(taken.numUpdatedRows) > 0;
  }

  #runPass(): Promise<void> {
    const pass = this.#pass ?? this.#acquireOrRenew();
    this.#pass = pass;
    return pass.finally(() => {
      if (this.#pass === pass) this.#pass = undefined;
    });
  }

  async #acquireOrRenew(): Promise<void> {
    let won = false;
    try {
      won = await this.tryAcquire();
    } catch (err) {
      this.#onError(err);
      // Unknown outcome: keep leading only while the last successful renewal still covers us.
      won = this.#leader && performance.now() < this.#validUntil - this.#renewMs;
    }
    if (this.#stopped) return;
    if (won && !this.#leader) {
      this.#leader = true;
      await this.#call(this.#options.onAcquired);
    } else if (!won && this.#leader) {
      await this.#stepDown();
    }
    this.#scheduleNext();
  }

  async #stepDown(): Promise<void> {
    this.#leader = false;
    await this.#call(this.#options.onLost);
  }

  #scheduleNext(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#runPass();
    }, this.#renewMs);
    this.#timer.unref();
  }

  async #call(f: () => void | Promise<void>): Promise<void> {
    try {
      await f();
    } catch (err) {
      this.#onError(err);
    }
  }

  #onError(err: unknown): void {
    (this.#options.onError ?? ((e) => process.emitWarning(String(e))))(err);
  }
}
