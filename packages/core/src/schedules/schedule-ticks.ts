import type { Definitions } from '../definitions-types.js';
import { CairnError } from '../errors.js';
import type { TimeWindowPartitionsDefinition } from '../partitions/partitions-definition.js';
import { cronTicks } from './cron-ticks.js';
import { resolveTarget } from './resolve-target.js';
import type { ScheduleDefinition } from './schedule.js';

/**
 * The ticks of a schedule with `from < tick <= to`, in order, DST-correct (see `schedule()`).
 *
 * @example
 * scheduleTicks(nightly, { from: new Date('2024-03-09Z'), to: new Date('2024-03-12Z') });
 */
export function scheduleTicks(
  schedule: ScheduleDefinition,
  range: { from: Date; to: Date },
): Date[] {
  checkRange(range.from, range.to);
  return cronTicks(schedule.cron, schedule.timezone).between(range.from, range.to);
}

/** The ticks a daemon should fire now, and those it skips because catch-up is off or capped. */
export interface DueTicks {
  /** Ticks to fire, oldest first. */
  due: Date[];
  /** Missed ticks that are not fired (recorded as skipped). */
  skipped: Date[];
}

/**
 * Which ticks to fire at `now` when the previous tick handled was `after`: every tick since then
 * when they fit the catch-up policy, else only the most recent one (`catchUp: false`) or the most
 * recent `maxTicks`.
 */
export function dueScheduleTicks(
  schedule: ScheduleDefinition,
  options: { after: Date; now: Date },
): DueTicks {
  const all = scheduleTicks(schedule, { from: options.after, to: options.now });
  const keep = Math.max(1, schedule.catchUpMaxTicks);
  return { due: all.slice(-keep), skipped: all.slice(0, Math.max(0, all.length - keep)) };
}

/** A run a schedule requests at a tick. */
export interface ScheduleRunRequest {
  /** `${schedule name}:${tick ISO}`: the idempotency key of the tick. */
  runKey: string;
  /** Asset keys in topological order. */
  assetKeys: string[];
  partitionKey: string | undefined;
  tags: Record<string, string>;
}

/** What a schedule does at one tick: a run request, or a reason to skip. */
export interface ScheduleTickResult {
  scheduleName: string;
  tick: Date;
  runRequest: ScheduleRunRequest | undefined;
  skipReason: string | undefined;
}

/**
 * The run a schedule requests at `tick`: its target, with the latest partition complete at the
 * tick for partitioned targets (or the key its `partitions` function gives), under the run key
 * `${name}:${tick ISO}`. Skips with a reason when no partition is complete yet.
 */
export function runRequestForTick(
  defs: Definitions,
  schedule: ScheduleDefinition,
  tick: Date,
): ScheduleTickResult {
  checkRange(tick, tick);
  const owner = `schedule "${schedule.name}"`;
  const { assetKeys, partitions } = resolveTarget(defs, schedule.target, owner);
  const iso = tick.toISOString();
  const base = { scheduleName: schedule.name, tick };
  let partitionKey: string | undefined;
  if (partitions !== undefined) {
    const ctx = { now: tick };
    if (typeof schedule.partitions === 'function') {
      partitionKey = schedule.partitions(tick);
      if (typeof partitionKey !== 'string' || !partitions.has(partitionKey, ctx)) {
        throw new CairnError(
          'CAIRN_UNKNOWN_PARTITION',
          `${owner} mapped the tick ${iso} to partition ${JSON.stringify(partitionKey)}, which is not a partition of its target at that tick; return an existing key.`,
          { schedule: schedule.name, tick: iso, partition: partitionKey },
        );
      }
    } else {
      let index = partitions.count(ctx) - 1;
      if (partitions.type === 'time') {
        // Latest complete: the window that ended at or before the tick, even with endOffset > 0.
        const tw = partitions as TimeWindowPartitionsDefinition;
        index = Math.min(index, tw.indexContaining(tick) - 1);
      }
      if (index < 0) {
        return {
          ...base,
          runRequest: undefined,
          skipReason: `no partition of ${assetKeys[0]} is complete at ${iso}`,
        };
      }
      partitionKey = partitions.keyAt(index, ctx);
    }
  }
  return {
    ...base,
    skipReason: undefined,
    runRequest: {
      runKey: `${schedule.name}:${iso}`,
      assetKeys,
      partitionKey,
      tags: { ...schedule.tags, 'cairn/schedule': schedule.name, 'cairn/tick': iso },
    },
  };
}

function checkRange(from: unknown, to: unknown): void {
  const bad = [from, to].find((d) => !(d instanceof Date) || Number.isNaN(d.getTime()));
  if (bad !== undefined || (from as Date) > (to as Date)) {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      `Schedule ticks need valid Dates with from <= to; got ${String(from)} and ${String(to)}.`,
      {},
    );
  }
}
