/**
 * IO managers store an asset partition's value after it is computed and load it for the
 * downstream assets and checks that read it. The daemon's workers run in other processes, so a
 * value that crosses runs must go through a persistent IO manager (the filesystem one by default).
 */

/** Identifies what is stored or loaded. */
export interface IOContext {
  /** The asset key, e.g. `shop/raw_orders`. */
  assetKey: string;
  /** The partition key, or undefined for an unpartitioned asset. */
  partitionKey: string | undefined;
  /** The run storing or loading it. */
  runId: string;
  /** Aborted when the step is cancelled or times out. */
  signal?: AbortSignal;
}

/** Stores and loads asset values. Implement it to keep values in a warehouse, S3, Parquet files... */
export interface IOManager {
  /** Persists `value` for the asset partition (overwriting an earlier value). */
  store(ctx: IOContext, value: unknown): void | Promise<void>;
  /** Loads the stored value; throws CAIRN_INPUT_NOT_FOUND when there is none. */
  load(ctx: IOContext): unknown | Promise<unknown>;
  /** True when a value is stored for the asset partition (used by re-execution to reuse outputs). */
  has?(ctx: IOContext): boolean | Promise<boolean>;
  /** Deletes the stored value (used by wipe). */
  delete?(ctx: IOContext): void | Promise<void>;
}
