import type { Definitions } from '../definitions-types.js';
import { CairnError } from '../errors.js';
import { cronTicks } from './cron-ticks.js';
import { checkTargetInput, resolveTarget, type TargetInput } from './resolve-target.js';

/** Which partition a partitioned schedule runs: the latest complete one at the tick, or one computed from the tick. */
export type SchedulePartitions = 'latest' | ((tick: Date) => string);

/** Options of `schedule()`. */
export interface ScheduleOptions {
  /** Unique among schedules and sensors; `[A-Za-z0-9_-]+`. Required. */
  name: string;
  /** 5-field cron, e.g. `0 6 * * *`. Required. */
  cron: string;
  /** IANA timezone the cron is read in. Default `UTC`. */
  timezone?: string;
  /** What to run: a selection string, an asset handle, or a list of them. Required. */
  target: TargetInput;
  /**
   * For partitioned targets: `latest` (default) runs the latest partition complete at the tick
   * (a daily schedule at 06:00 runs yesterday); a function maps the tick to a key.
   */
  partitions?: SchedulePartitions;
  /**
   * What the daemon does with ticks missed while it was down: `false` (default) runs only the most
   * recent missed tick; `{ maxTicks }` runs up to that many of the most recent ones.
   */
  catchUp?: false | { maxTicks: number };
  /** Tags added to every run. Default `{}`. */
  tags?: Readonly<Record<string, string>>;
  /** Shown in the UI. Default: none. */
  description?: string;
}

/** The resolved, frozen form of a schedule. */
export interface ScheduleDefinition {
  readonly kind: 'schedule';
  readonly name: string;
  /** The normalized cron. */
  readonly cron: string;
  /** The canonical IANA timezone. */
  readonly timezone: string;
  readonly target: TargetInput;
  readonly partitions: SchedulePartitions;
  /** 0 when catch-up is off (only the most recent missed tick runs), else the most ticks caught up. */
  readonly catchUpMaxTicks: number;
  readonly tags: Readonly<Record<string, string>>;
  readonly description: string | undefined;
  /** Called by `definitions()`: resolves the target and checks its partitions fit the schedule. */
  validate(defs: Definitions): void;
}

const NAME = /^[A-Za-z0-9_-]+$/;

/** Checks a schedule or sensor name. */
export function checkName(name: unknown, what: string): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      `${what} name ${JSON.stringify(name)} is invalid: use letters, digits, "_" and "-", e.g. "nightly_orders".`,
      { name },
    );
  }
  return name;
}

/**
 * Declares a schedule: a cron in a timezone that requests a run of `target` at each tick.
 * DST-correct: a wall time skipped in spring fires at the first instant after the gap, a wall time
 * repeated in autumn fires once. The daemon records each tick under the run key
 * `${name}:${tick ISO}`, so a tick fires once even with two daemons.
 *
 * @example
 * schedule({ name: 'nightly', cron: '0 2 * * *', timezone: 'Europe/Paris', target: 'group:shop' });
 */
export function schedule(options: ScheduleOptions): ScheduleDefinition {
  const name = checkName(options?.name, 'Schedule');
  const owner = `schedule "${name}"`;
  const ticks = cronTicks(options.cron, options.timezone ?? 'UTC');
  const target = checkTargetInput(options.target, owner);
  const partitions = options.partitions ?? 'latest';
  if (partitions !== 'latest' && typeof partitions !== 'function') {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      `${owner} has partitions ${JSON.stringify(partitions)}; use "latest" or a function (tick) => partition key.`,
      { schedule: name },
    );
  }
  const catchUp = options.catchUp ?? false;
  let catchUpMaxTicks = 0;
  if (catchUp !== false) {
    const n = catchUp?.maxTicks;
    if (!Number.isInteger(n) || n < 1) {
      throw new CairnError(
        'CAIRN_INVALID_OPTIONS',
        `${owner} has catchUp.maxTicks ${String(n)}; give an integer >= 1, or catchUp: false.`,
        { schedule: name },
      );
    }
    catchUpMaxTicks = n;
  }
  const def: ScheduleDefinition = {
    kind: 'schedule',
    name,
    cron: ticks.cron,
    timezone: ticks.timezone,
    target,
    partitions,
    catchUpMaxTicks,
    tags: Object.freeze({ ...(options.tags ?? {}) }),
    description: options.description,
    validate(defs) {
      const resolved = resolveTarget(defs, target, owner);
      const p = resolved.partitions;
      if (p !== undefined && partitions === 'latest' && p.type !== 'time' && p.type !== 'static') {
        throw new CairnError(
          'CAIRN_INVALID_TARGET',
          `${owner} targets assets with ${p.type} partitions, where "latest" is not defined; give partitions: (tick) => key.`,
          { schedule: name, partitions: p.type },
        );
      }
    },
  };
  return Object.freeze(def);
}

/** True when `x` is what `schedule()` returns. */
export function isScheduleDefinition(x: unknown): x is ScheduleDefinition {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'schedule';
}
