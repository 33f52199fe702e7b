import { CairnError } from '../errors.js';
import type { PartitionsContext, PartitionsDefinition } from './partitions-definition.js';

/**
 * Small pieces every partitions definition shares: the unknown-partition error, index validation,
 * slice clamping and `range` on top of `indexOf`/`slice`.
 */

/** CAIRN_UNKNOWN_PARTITION for `key` of a definition described by `what`. */
export function unknownPartition(key: string, what: string): CairnError {
  return new CairnError(
    'CAIRN_UNKNOWN_PARTITION',
    `Partition key ${JSON.stringify(key)} is not a partition of ${what}; list the valid keys with keys() or check the key format.`,
    { key, definition: what },
  );
}

/** Throws CAIRN_UNKNOWN_PARTITION unless `index` is an integer in `[0, count)`. */
export function checkIndex(index: number, count: number, what: string): void {
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new CairnError(
      'CAIRN_UNKNOWN_PARTITION',
      `Partition index ${index} is out of range for ${what}, which has ${count} partitions (valid: 0..${count - 1}).`,
      { index, count, definition: what },
    );
  }
}

/** `[start, end)` clamped to `[0, count]`, with end >= start. */
export function clampSlice(start: number, end: number, count: number): [number, number] {
  const s = Math.max(0, Math.min(count, Math.floor(Number.isNaN(start) ? 0 : start)));
  const e = Math.max(s, Math.min(count, Math.ceil(Number.isNaN(end) ? 0 : end)));
  return [s, e];
}

/** Keys from `from` to `to` inclusive, with the errors the interface promises. */
export function rangeOf(
  def: PartitionsDefinition,
  from: string,
  to: string,
  what: string,
  ctx?: PartitionsContext,
): string[] {
  const i = def.indexOf(from, ctx);
  if (i < 0) throw unknownPartition(from, what);
  const j = def.indexOf(to, ctx);
  if (j < 0) throw unknownPartition(to, what);
  if (i > j) {
    throw new CairnError(
      'CAIRN_INVALID_PARTITION_RANGE',
      `Partition range ${JSON.stringify(from)}..${JSON.stringify(to)} of ${what} is reversed: ${JSON.stringify(from)} comes after ${JSON.stringify(to)}. Swap the two keys.`,
      { from, to, definition: what },
    );
  }
  return def.slice(i, j + 1, ctx);
}

/** The `now` of a context as epoch ms (default: the current time). */
export function nowOf(ctx?: PartitionsContext): number {
  const now = ctx?.now;
  if (now === undefined) return Date.now();
  const ms = now instanceof Date ? now.getTime() : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      `PartitionsContext.now must be a valid Date, got ${String(now)}.`,
      { now: String(now) },
    );
  }
  return ms;
}
