import { CairnError, type Clock, type Definitions } from '@cairn/core';
import { z } from 'zod';
import { DaemonError } from '../errors.js';
import type { Storage, StoredEvent } from '../storage/index.js';
import type { PartitionIndexer } from './partition-indexer.js';

/** A materialization or observation reported for an asset from outside Cairn (an external asset). */
export interface AssetReport {
  assetKey: string;
  /** Required for partitioned assets, and must be one of their partitions. */
  partitionKey?: string;
  dataVersion?: string;
  metadata?: Record<string, unknown>;
}

const reportSchema = z
  .object({
    assetKey: z.string().min(1),
    partitionKey: z.string().min(1).optional(),
    dataVersion: z.string().min(1).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

const keysSchema = z.array(z.string().min(1)).min(1);

/** What the operations need from the coordinator. */
export interface AssetOperationsContext {
  defs: Definitions;
  storage: Storage;
  clock: Clock;
  indexer: PartitionIndexer;
  /** Appends through the coordinator (so `onEvent` subscribers see the events). */
  append(events: StoredEvent[]): Promise<number[]>;
}

function invalid(op: string, error: z.ZodError): DaemonError {
  const issue = error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? 'input' : issue.path.join('.');
  return new DaemonError(
    'CAIRN_INVALID_OPTIONS',
    `${op}(): invalid "${where}": ${issue?.message ?? 'malformed'}. Fix it and call again.`,
    { op, issues: error.issues },
  );
}

/**
 * The operations on assets that are not runs: wipe, report materializations and observations,
 * add and remove dynamic partition keys. Each validates against the definitions and is recorded
 * as one event; the derived indexes follow from the event.
 */
export class AssetOperations {
  readonly #ctx: AssetOperationsContext;

  constructor(ctx: AssetOperationsContext) {
    this.#ctx = ctx;
  }

  /** Records `asset_wiped` for the whole asset or the listed partitions; returns the event id. */
  async wipe(assetKey: string, partitionKeys?: readonly string[]): Promise<number> {
    const key = this.#ctx.defs.asset(assetKey).key;
    if (partitionKeys !== undefined) {
      const parsed = keysSchema.safeParse(partitionKeys);
      if (!parsed.success) throw invalid('wipe', parsed.error);
    }
    const event: StoredEvent = {
      type: 'asset_wiped',
      timestamp: this.#now(),
      assetKey: key,
      ...(partitionKeys === undefined ? {} : { partitionKeys: [...partitionKeys] }),
    };
    const [id] = await this.#ctx.append([event]);
    return id!;
  }

  /** Records a reported `materialization` (no run, `reported: true`); returns the event id. */
  async reportMaterialization(report: AssetReport): Promise<number> {
    const r = this.#check('reportMaterialization', report);
    const [id] = await this.#ctx.append([
      { type: 'materialization', timestamp: this.#now(), reported: true, ...r },
    ]);
    return id!;
  }

  /** Records an `asset_observation` (data version without a computation); returns the event id. */
  async reportObservation(report: AssetReport): Promise<number> {
    const r = this.#check('reportObservation', report);
    const [id] = await this.#ctx.append([
      { type: 'asset_observation', timestamp: this.#now(), ...r },
    ]);
    return id!;
  }

  /** Adds keys to the dynamic partitions definition `name` (keys already there are ignored). */
  async addDynamicPartitions(name: string, keys: readonly string[]): Promise<void> {
    this.#checkDynamic('addDynamicPartitions', name, keys);
    await this.#ctx.append([
      { type: 'dynamic_partitions_added', timestamp: this.#now(), name, keys: [...keys] },
    ]);
  }

  /**
   * Removes keys from the dynamic partitions definition `name`. The keys after them move down,
   * so the status ranges of every asset using `name` are recomputed from the new indexes.
   */
  async removeDynamicPartitions(name: string, keys: readonly string[]): Promise<void> {
    this.#checkDynamic('removeDynamicPartitions', name, keys);
    await this.#ctx.append([
      { type: 'dynamic_partitions_removed', timestamp: this.#now(), name, keys: [...keys] },
    ]);
    for (const assetKey of this.#ctx.indexer.assetsUsingDynamic(name)) {
      await this.#ctx.storage.rebuildPartitionRanges(
        assetKey,
        (pk) => this.#ctx.indexer.indexOf(assetKey, pk) ?? -1,
      );
    }
  }

  #now(): string {
    return this.#ctx.clock.now().toISOString();
  }

  #check(op: string, report: AssetReport): AssetReport & { partitionIndex?: number } {
    const parsed = reportSchema.safeParse(report);
    if (!parsed.success) throw invalid(op, parsed.error);
    const r = parsed.data;
    const asset = this.#ctx.defs.asset(r.assetKey);
    const out: AssetReport & { partitionIndex?: number } = { ...r, assetKey: asset.key };
    if (asset.partitions === undefined) {
      if (r.partitionKey !== undefined) {
        throw new CairnError(
          'CAIRN_UNKNOWN_PARTITION',
          `${op}(): asset "${asset.key}" is not partitioned, but partitionKey "${r.partitionKey}" was given. Drop partitionKey.`,
          { assetKey: asset.key, partitionKey: r.partitionKey },
        );
      }
      return out;
    }
    if (r.partitionKey === undefined) {
      throw new CairnError(
        'CAIRN_PARTITION_REQUIRED',
        `${op}(): asset "${asset.key}" is partitioned; pass the partitionKey the report is about.`,
        { assetKey: asset.key },
      );
    }
    const index = this.#ctx.indexer.indexOf(asset.key, r.partitionKey);
    if (index === undefined) {
      throw new CairnError(
        'CAIRN_UNKNOWN_PARTITION',
        `${op}(): "${r.partitionKey}" is not a partition of asset "${asset.key}". Use a key its partitions definition produces (add dynamic keys first).`,
        { assetKey: asset.key, partitionKey: r.partitionKey },
      );
    }
    out.partitionIndex = index;
    return out;
  }

  #checkDynamic(op: string, name: string, keys: readonly string[]): void {
    const parsed = z
      .object({ name: z.string().min(1), keys: keysSchema })
      .safeParse({ name, keys });
    if (!parsed.success) throw invalid(op, parsed.error);
  }
}
