import type { AnyAssetDefinition } from '../asset-types.js';
import type { Definitions } from '../definitions-types.js';
import { CairnError } from '../errors.js';
import type {
  DynamicPartitionsReader,
  PartitionsContext,
} from '../partitions/partitions-definition.js';
import { inputRef, parseInputRef } from './data-version.js';
import type { PartitionRef, PartitionStaleness, StaleCause } from './stale-cause.js';
import type { StalenessReader } from './staleness-reader.js';
import { upstreamReads } from './upstream-reads.js';

/** Options of the staleness functions. */
export interface StalenessOptions {
  /** The instant partition mappings resolve "now" at (time windows that exist). Default: `new Date()`, taken once per call. */
  now?: Date;
  /** Where dynamic partition keys come from. Default: none (dynamic definitions have no keys). */
  dynamic?: DynamicPartitionsReader;
}

/**
 * Evaluates staleness of many asset partitions against one reader at one instant, remembering
 * every partition it evaluated so shared upstreams are evaluated once.
 */
export interface StalenessEvaluator {
  readonly defs: Definitions;
  readonly reader: StalenessReader;
  /** The partitions context every mapping is asked in (its `now` is fixed for the evaluator's life). */
  readonly ctx: Readonly<PartitionsContext>;
  /** The staleness of one asset partition; validates the key and partition. */
  partition(assetKey: string, partitionKey: string | undefined): PartitionStaleness;
  /** The staleness of an asset partition named by a cause of an earlier result: skips validating the key again. */
  upstream(ref: PartitionRef): PartitionStaleness;
}

/** One upstream partition read by a partition being evaluated. */
interface Read {
  ref: string;
  asset: AnyAssetDefinition | undefined;
  at: PartitionRef;
  recorded: string | undefined;
  current: string | undefined;
}

/** A partition whose upstreams are being evaluated; `next` is the first read not yet looked at. */
interface Frame {
  ref: string;
  causes: StaleCause[];
  reads: Read[];
  next: number;
}

const FRESH: PartitionStaleness = Object.freeze({ status: 'FRESH', causes: Object.freeze([]) });
const MISSING: PartitionStaleness = Object.freeze({ status: 'MISSING', causes: Object.freeze([]) });

/**
 * Creates a memoizing staleness evaluator. Use one per question (a request, a tick): results are
 * cached for its lifetime, so it does not see events recorded after it evaluated a partition.
 *
 * @example
 * const ev = stalenessEvaluator(defs, reader, { now });
 * const stale = defs.asset('shop/daily').partitions!.keys({ now }).filter((k) => ev.partition('shop/daily', k).status === 'STALE');
 */
export function stalenessEvaluator(
  defs: Definitions,
  reader: StalenessReader,
  options: StalenessOptions = {},
): StalenessEvaluator {
  const ctx: PartitionsContext = Object.freeze({
    now: options.now ?? new Date(),
    dynamic: options.dynamic,
  });
  const memo = new Map<string, PartitionStaleness>();

  // Evaluation walks upstream with an explicit stack, not recursion: a self-dependent hourly asset
  // (each hour reads the previous one) chains tens of thousands of partitions deep.
  const evaluate = (root: AnyAssetDefinition, rootKey: string | undefined): PartitionStaleness => {
    const rootRef = inputRef(root.key, rootKey);
    const known = memo.get(rootRef);
    if (known !== undefined) return known;
    const stack: Frame[] = [];
    const onStack = new Set<string>();
    const enter = (asset: AnyAssetDefinition, partitionKey: string | undefined, ref: string) => {
      const early = prepare(asset, partitionKey);
      if ('status' in early) memo.set(ref, early);
      else {
        stack.push({ ...early, ref, next: 0 });
        onStack.add(ref);
      }
    };
    enter(root, rootKey, rootRef);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      let descended = false;
      while (frame.next < frame.reads.length) {
        const read = frame.reads[frame.next]!;
        // A partition already on the stack would be a cycle, which validated definitions
        // exclude; skipping it keeps a faulty custom mapping from looping forever.
        if (read.asset !== undefined && !memo.has(read.ref) && !onStack.has(read.ref)) {
          enter(read.asset, read.at.partitionKey, read.ref);
          descended = true;
          break;
        }
        frame.next++;
      }
      if (descended) continue;
      stack.pop();
      onStack.delete(frame.ref);
      memo.set(frame.ref, finish(frame));
    }
    return memo.get(rootRef)!;
  };

  // Everything about one partition that does not need its upstreams' statuses.
  const prepare = (
    asset: AnyAssetDefinition,
    partitionKey: string | undefined,
  ): PartitionStaleness | Omit<Frame, 'ref' | 'next'> => {
    if (asset.external) {
      // External assets are not computed by Cairn, so nothing can make them stale: once a
      // materialization or observation reported them they are as fresh as their source.
      const present =
        reader.currentDataVersion(asset.key, partitionKey) !== undefined ||
        reader.latestMaterialization(asset.key, partitionKey) !== undefined;
      return present ? FRESH : MISSING;
    }
    const m = reader.latestMaterialization(asset.key, partitionKey);
    if (m === undefined) return MISSING;

    const causes: StaleCause[] = [];
    if (m.codeVersion !== asset.codeVersion)
      causes.push({ type: 'code', from: m.codeVersion, to: asset.codeVersion });

    const depKeys = new Set(asset.deps.map((d) => d.key));
    const recordedDeps = new Set(m.depKeys);
    const added = [...depKeys].filter((k) => !recordedDeps.has(k));
    const removed = [...recordedDeps].filter((k) => !depKeys.has(k));
    const addedSet = new Set(added);

    const reads: Read[] = [];
    const readRefs = new Set<string>();
    for (const read of upstreamReads(defs, asset, partitionKey, ctx)) {
      // A dependency the materialization did not know about is reported once, as `dependencies`.
      if (addedSet.has(read.assetKey)) continue;
      const up = defs.assets.get(read.assetKey);
      for (const upk of read.partitionKeys) {
        const ref = inputRef(read.assetKey, upk);
        readRefs.add(ref);
        const recorded = Object.hasOwn(m.inputDataVersions, ref)
          ? m.inputDataVersions[ref]
          : undefined;
        const current = reader.currentDataVersion(read.assetKey, upk)?.dataVersion;
        reads.push({
          ref,
          asset: up,
          at: { assetKey: read.assetKey, partitionKey: upk },
          recorded,
          current,
        });
      }
    }

    const removedPartitions: PartitionRef[] = [];
    for (const ref of Object.keys(m.inputDataVersions)) {
      if (readRefs.has(ref)) continue;
      const parsed = parseInputRef(ref);
      if (depKeys.has(parsed.assetKey) && !addedSet.has(parsed.assetKey))
        removedPartitions.push(parsed);
    }
    if (added.length > 0 || removed.length > 0 || removedPartitions.length > 0)
      causes.push({ type: 'dependencies', added, removed, removedPartitions });
    return { causes, reads };
  };

  // Completes a partition once every upstream it read has a status: data causes, then upstream ones.
  const finish = (frame: Frame): PartitionStaleness => {
    const { causes } = frame;
    for (const r of frame.reads)
      if (r.recorded !== r.current)
        causes.push({ type: 'data', upstream: r.at, recorded: r.recorded, current: r.current });
    for (const r of frame.reads)
      if (memo.get(r.ref)?.status === 'STALE')
        causes.push({ type: 'upstream', upstream: r.at, status: 'STALE' });
    return causes.length === 0 ? FRESH : Object.freeze({ status: 'STALE', causes });
  };

  return {
    defs,
    reader,
    ctx,
    partition(assetKey, partitionKey) {
      return evaluate(resolvePartition(defs, assetKey, partitionKey, ctx), partitionKey);
    },
    upstream(ref) {
      const asset = defs.assets.get(ref.assetKey);
      return asset === undefined
        ? this.partition(ref.assetKey, ref.partitionKey)
        : evaluate(asset, ref.partitionKey);
    },
  };
}

/**
 * The staleness of one asset partition: MISSING when never materialized (an external asset with an
 * observation is present), STALE with every cause, or FRESH. Exact for any number of upstream
 * partitions: a daily partition reading 24 hourly ones names exactly the hours that changed.
 *
 * @example
 * const { status, causes } = partitionStaleness(defs, 'shop/daily_revenue', '2024-03-02', reader, { now });
 */
export function partitionStaleness(
  defs: Definitions,
  assetKey: string,
  partitionKey: string | undefined,
  reader: StalenessReader,
  options: StalenessOptions = {},
): PartitionStaleness {
  return stalenessEvaluator(defs, reader, options).partition(assetKey, partitionKey);
}

/**
 * The staleness of every partition of an asset (one entry keyed `undefined` when unpartitioned),
 * in partition order, sharing upstream evaluations across partitions.
 */
export function assetStaleness(
  defs: Definitions,
  assetKey: string,
  reader: StalenessReader,
  options: StalenessOptions = {},
): Map<string | undefined, PartitionStaleness> {
  const ev = stalenessEvaluator(defs, reader, options);
  const asset = defs.asset(assetKey);
  const out = new Map<string | undefined, PartitionStaleness>();
  if (asset.partitions === undefined) {
    out.set(undefined, ev.partition(asset.key, undefined));
    return out;
  }
  for (const key of asset.partitions.keys(ev.ctx)) out.set(key, ev.partition(asset.key, key));
  return out;
}

/** Checks an asset key and partition key given by a caller; returns the asset. */
export function resolvePartition(
  defs: Definitions,
  assetKey: string,
  partitionKey: string | undefined,
  ctx: PartitionsContext,
): AnyAssetDefinition {
  const asset = defs.asset(assetKey);
  if (asset.partitions === undefined) {
    if (partitionKey !== undefined) {
      throw new CairnError(
        'CAIRN_UNKNOWN_PARTITION',
        `Asset "${asset.key}" is not partitioned, but partition "${partitionKey}" was given; pass undefined as the partition key.`,
        { asset: asset.key, partition: partitionKey },
      );
    }
  } else if (partitionKey === undefined) {
    throw new CairnError(
      'CAIRN_PARTITION_REQUIRED',
      `Asset "${asset.key}" is partitioned: give the partition key whose staleness you want.`,
      { asset: asset.key },
    );
  } else if (!asset.partitions.has(partitionKey, ctx)) {
    throw new CairnError(
      'CAIRN_UNKNOWN_PARTITION',
      `"${partitionKey}" is not a partition of asset "${asset.key}" (at ${ctx.now?.toISOString()}); check the key's format and the partitions' start and end.`,
      { asset: asset.key, partition: partitionKey },
    );
  }
  return asset;
}
