/**
 * The contract every partitions definition implements. Implementations must answer count,
 * key-at-index, index-of-key and slices arithmetically where they can, so that a definition with
 * a million partitions never builds its full key array to answer one question.
 */

/** Reads the keys of dynamic partitions definitions (the daemon's storage implements it). */
export interface DynamicPartitionsReader {
  /** The keys added to the dynamic partitions definition `name`, in insertion order. */
  getDynamicPartitionKeys(name: string): readonly string[];
}

/** The context a partitions question is asked in. */
export interface PartitionsContext {
  /** The instant "now" for time-window definitions. Default: `new Date()`. */
  now?: Date;
  /** Where dynamic partition keys come from. Default: none (a dynamic definition has no keys). */
  dynamic?: DynamicPartitionsReader;
}

/** A half-open time window `[start, end)`. */
export interface TimeWindow {
  start: Date;
  end: Date;
}

/** A serializable description of a partitions definition, for the daemon, API and UI. */
export type PartitionsSnapshot =
  | {
      type: 'time';
      cron: string;
      timezone: string;
      fmt: string;
      start: string;
      end?: string;
      endOffset: number;
    }
  | { type: 'static'; keys: string[] }
  | { type: 'dynamic'; name: string }
  | { type: 'multi'; dimensions: { name: string; partitions: PartitionsSnapshot }[] };

/** The set of partition keys of an asset. */
export interface PartitionsDefinition {
  /** Which family this definition belongs to. */
  readonly type: 'time' | 'static' | 'dynamic' | 'multi';
  /** Number of partitions. */
  count(ctx?: PartitionsContext): number;
  /** The key at `index` (0-based, in partition order); throws CAIRN_UNKNOWN_PARTITION when out of range. */
  keyAt(index: number, ctx?: PartitionsContext): string;
  /** The index of `key`, or -1 when the key is not a partition of this definition. */
  indexOf(key: string, ctx?: PartitionsContext): number;
  /** True when `key` is a partition of this definition. */
  has(key: string, ctx?: PartitionsContext): boolean;
  /** All keys in order. Builds an array: prefer count/keyAt/slice for large definitions. */
  keys(ctx?: PartitionsContext): string[];
  /** Keys with index in `[start, end)`, clamped to the valid range. */
  slice(start: number, end: number, ctx?: PartitionsContext): string[];
  /**
   * Keys from `from` to `to`, both inclusive. Throws CAIRN_UNKNOWN_PARTITION for a key that is not a
   * partition and CAIRN_INVALID_PARTITION_RANGE when `from` comes after `to`.
   */
  range(from: string, to: string, ctx?: PartitionsContext): string[];
  /** True when both definitions produce the same keys in the same order (used to infer identity mappings). */
  equals(other: PartitionsDefinition): boolean;
  /** A JSON description of this definition. */
  snapshot(): PartitionsSnapshot;
}

/** A partitions definition whose partitions are time windows. */
export interface TimeWindowPartitionsDefinition extends PartitionsDefinition {
  readonly type: 'time';
  /** The IANA timezone the windows are computed in. */
  readonly timezone: string;
  /** The cron expression whose ticks are the window boundaries. */
  readonly cron: string;
  /** The Luxon format of keys. */
  readonly fmt: string;
  /** The window `[start, end)` of `key`; throws CAIRN_UNKNOWN_PARTITION for an unknown key. */
  timeWindow(key: string): TimeWindow;
  /**
   * The index range `[startIndex, endIndex)` of the partitions whose windows overlap `[start, end)`,
   * ignoring the current `now` cut-off at the end (callers clamp with `count`).
   */
  indexRangeOverlapping(start: Date, end: Date): { startIndex: number; endIndex: number };
  /** The index of the window that contains `instant`, ignoring the `now` cut-off (may be < 0). */
  indexContaining(instant: Date): number;
}

/** A partitions definition made of named dimensions; keys join dimension keys with `|` in sorted name order. */
export interface MultiPartitionsDefinition extends PartitionsDefinition {
  readonly type: 'multi';
  /** Dimensions in sorted name order (the order of the key's parts). */
  readonly dimensions: readonly { name: string; partitions: PartitionsDefinition }[];
  /** The name of the (at most one) time-window dimension, if any; gives the partition's time window. */
  readonly timeDimension?: string;
  /** Splits a multi key into `{ dimension: key }`; throws CAIRN_UNKNOWN_PARTITION when malformed. */
  split(key: string): Record<string, string>;
  /** Joins dimension keys into a multi key. */
  join(parts: Record<string, string>): string;
}

/** Narrows a definition to a time-window one. */
export function isTimeWindowPartitions(
  p: PartitionsDefinition | undefined,
): p is TimeWindowPartitionsDefinition {
  return p?.type === 'time';
}

/** Narrows a definition to a multi-dimensional one. */
export function isMultiPartitions(
  p: PartitionsDefinition | undefined,
): p is MultiPartitionsDefinition {
  return p?.type === 'multi';
}
