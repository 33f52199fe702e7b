import type { Daemon } from '../daemon.js';

/**
 * The parts of the daemon the API reads that are added by the automation work (schedules,
 * sensors, automation evaluations, staleness). They are optional here so the API works with a
 * daemon that does not have them yet: their routes answer 501 CAIRN_NOT_AVAILABLE.
 */

/** Paging options of tick and evaluation lists. */
export interface BeforePage {
  limit: number;
  before?: number | string;
}

/** A schedule's or sensor's state as the daemon lists it. */
export type TickerState = Record<string, unknown> & { name: string };

/** The schedules (or sensors) part of the daemon. */
export interface TickerControl {
  list(): Promise<TickerState[]>;
  start(name: string): Promise<unknown>;
  stop(name: string): Promise<unknown>;
  ticks(name: string, opts: BeforePage): Promise<unknown>;
}

/** The automation part of the daemon. */
export interface AutomationControl {
  evaluations(opts: { assetKey?: string } & BeforePage): Promise<unknown>;
  /** Durations of recent ticks, for /metrics (optional). */
  tickDurations?(): readonly { kind: string; durationMs: number }[];
}

/** Staleness counts of an asset. */
export interface StalenessCounts {
  fresh: number;
  stale: number;
  missing: number;
}

/** The staleness part of the daemon. */
export interface StalenessControl {
  summary(assetKey: string): Promise<StalenessCounts>;
  /** Stale partition counts of every asset with any, in one query (optional; list pages use it). */
  staleCounts?(): Promise<Map<string, number>>;
  partitions(
    assetKey: string,
    opts: { status?: string; limit: number; after?: string | number },
  ): Promise<unknown>;
  explain(
    assetKey: string,
    partitionKey?: string,
  ): Promise<{ status: string; causes: unknown; text: string }>;
}

/** A daemon as the API sees it: the core members plus the optional automation members. */
export type ApiDaemon = Daemon & {
  readonly schedules?: TickerControl;
  readonly sensors?: TickerControl;
  readonly automation?: AutomationControl;
  readonly staleness?: StalenessControl;
};
