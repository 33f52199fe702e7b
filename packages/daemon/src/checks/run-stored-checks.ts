import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  type AnyAssetCheckDefinition,
  type CheckResult,
  type Clock,
  type Definitions,
  filesystemIOManager,
  type IOManager,
  isImplicitDefaultIOManager,
  isTimeWindowPartitions,
  type MaterializationRecord,
  type Metadata,
  type StepLogger,
  selectAssets,
  systemClock,
} from '@cairn/core';
import { DaemonError } from '../errors.js';
import type { Storage } from '../storage/storage.js';
import type { StoredCheckEvaluationEvent, StoredEvent } from '../storage/stored-event.js';
import { ResourceCache } from './resource-cache.js';

/** Options of `runStoredChecks()`. */
export interface RunStoredChecksOptions {
  definitions: Definitions;
  storage: Storage;
  /** The Cairn home; stored values are read from `<home>/storage` unless the definitions configure a default IO manager. */
  home: string;
  /** Asset selection (docs/concepts/selection.md); only the checks of these assets run. */
  selection: string;
  /** Check exactly these partitions (of partitioned assets). Default: every materialized partition. */
  partitionKeys?: readonly string[];
  /** Check the partitions from `from` to `to`, both inclusive. */
  range?: { from: string; to: string };
  /** Default the system clock. */
  clock?: Clock;
  /** Called after each evaluation (progress). */
  onEvaluation?: (evaluation: CheckEvaluation, done: number, total: number) => void;
}

/** One check evaluated on one asset partition against its stored value. */
export interface CheckEvaluation {
  assetKey: string;
  checkId: string;
  checkName: string;
  /** Undefined for an unpartitioned asset. */
  partitionKey: string | undefined;
  passed: boolean;
  /** The effective severity (the result may override the declared one). */
  severity: 'warn' | 'error';
  blocking: boolean;
  description: string | undefined;
  metadata: Metadata;
  durationMs: number;
}

// Check logs have no run to belong to here; the verdict and its metadata are what CI reads.
const silentLog: StepLogger = { debug() {}, info() {}, warn() {}, error() {} };

function failed(err: unknown, checkId: string): CheckResult {
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  const metadata: Metadata = { error: message };
  if (err instanceof Error && err.stack) metadata.stack = err.stack;
  return { passed: false, metadata, description: `Check "${checkId}" threw: ${message}` };
}

function withTimeout<T>(work: Promise<T>, ms: number | undefined, what: string): Promise<T> {
  if (ms === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

function toRecord(
  assetKey: string,
  event: StoredEvent | undefined,
): MaterializationRecord | undefined {
  if (event?.type !== 'materialization') return undefined;
  return {
    assetKey,
    partitionKey: event.partitionKey,
    timestamp: new Date(event.timestamp),
    metadata: (event.metadata ?? {}) as Metadata,
    dataVersion: event.dataVersion ?? '',
    codeVersion: event.codeVersion,
    runId: event.runId ?? '',
  };
}

/** The partition keys to check for one asset. */
async function partitionsToCheck(
  defs: Definitions,
  storage: Storage,
  assetKey: string,
  options: RunStoredChecksOptions,
): Promise<(string | undefined)[]> {
  const partitions = defs.asset(assetKey).partitions;
  if (partitions === undefined) return [undefined];
  const ctx = { dynamic: storage };
  if (options.partitionKeys !== undefined) {
    for (const key of options.partitionKeys) {
      if (!partitions.has(key, ctx)) {
        throw new DaemonError(
          'CAIRN_INVALID_OPTIONS',
          `Asset "${assetKey}" has no partition "${key}". List its partitions with \`cairn status ${assetKey}\`.`,
          { assetKey, partitionKey: key },
        );
      }
    }
    return [...options.partitionKeys];
  }
  if (options.range !== undefined)
    return partitions.range(options.range.from, options.range.to, ctx);
  // Default: the partitions that have a stored value (a missing partition has nothing to judge).
  const out: string[] = [];
  for (const key of partitions.keys(ctx)) {
    if ((await storage.getLatestMaterialization(assetKey, key)) !== undefined) out.push(key);
  }
  return out;
}

/**
 * Runs only the checks of the selected assets, against the values already stored (no asset is
 * computed), records each evaluation as a `check_evaluation` event, and returns them. User code
 * runs in this process: the CLI calls it from its own one-shot process, so a crashing check ends
 * `cairn check`, never a daemon. A check that throws or times out counts as failed.
 *
 * @example
 * const evaluations = await runStoredChecks({ definitions, storage, home: '.cairn', selection: 'shop/*' });
 */
export async function runStoredChecks(options: RunStoredChecksOptions): Promise<CheckEvaluation[]> {
  const { definitions: defs, storage } = options;
  const clock = options.clock ?? systemClock;
  const keys = selectAssets(defs.graph, options.selection);
  const fsIo = filesystemIOManager({ baseDir: join(options.home, 'storage') });
  const ioFor = (assetKey: string): IOManager => {
    const name = defs.asset(assetKey).io;
    const io = defs.ioManagers[name];
    // Same rule as the workers: the implicit in-memory default becomes the home's files.
    if (io === undefined || isImplicitDefaultIOManager(io)) return fsIo;
    return io;
  };
  const work: { check: AnyAssetCheckDefinition; partitionKey: string | undefined }[] = [];
  for (const key of keys) {
    const checks = defs.checksByAsset.get(key) ?? [];
    if (checks.length === 0) continue;
    for (const partitionKey of await partitionsToCheck(defs, storage, key, options)) {
      for (const check of checks) work.push({ check, partitionKey });
    }
  }
  const runId = `checks-${randomUUID()}`;
  const resources = new ResourceCache(defs);
  const signal = new AbortController().signal;
  const evaluations: CheckEvaluation[] = [];
  try {
    for (const { check, partitionKey } of work) {
      const assetKey = check.assetKey;
      const latest = toRecord(
        assetKey,
        (await storage.getLatestMaterialization(assetKey, partitionKey))?.event,
      );
      const partitions = defs.asset(assetKey).partitions;
      const started = performance.now();
      let result: CheckResult;
      try {
        const res = await resources.valuesFor(check.resources, signal);
        const out = await withTimeout(
          Promise.resolve(
            check.fn({
              assetKey,
              checkName: check.name,
              partitionKey,
              partitionTimeWindow:
                partitionKey !== undefined && isTimeWindowPartitions(partitions)
                  ? partitions.timeWindow(partitionKey)
                  : undefined,
              loadValue: async () =>
                ioFor(assetKey).load({ assetKey, partitionKey, runId, signal }),
              history: {
                latestMaterialization: (k, p) =>
                  k === assetKey && p === partitionKey ? latest : undefined,
              },
              now: clock.now(),
              resources: res,
              log: silentLog,
              signal,
              runId,
            }),
          ),
          check.timeoutMs,
          `Check "${check.id}"`,
        );
        result =
          typeof out === 'object' && out !== null && typeof out.passed === 'boolean'
            ? out
            : failed(new TypeError('returned something other than { passed: boolean }'), check.id);
      } catch (err) {
        result = failed(err, check.id);
      }
      const evaluation: CheckEvaluation = {
        assetKey,
        checkId: check.id,
        checkName: check.name,
        partitionKey,
        passed: result.passed,
        severity: result.severity ?? check.severity,
        blocking: check.blocking,
        description: result.description ?? check.description,
        metadata: result.metadata ?? {},
        durationMs: performance.now() - started,
      };
      evaluations.push(evaluation);
      options.onEvaluation?.(evaluation, evaluations.length, work.length);
    }
  } finally {
    await resources.teardown();
  }
  await storage.append(evaluations.map((e) => toEvent(e, clock)));
  return evaluations;
}

function toEvent(e: CheckEvaluation, clock: Clock): StoredCheckEvaluationEvent {
  const event: StoredCheckEvaluationEvent = {
    type: 'check_evaluation',
    timestamp: clock.now().toISOString(),
    assetKey: e.assetKey,
    checkId: e.checkId,
    checkName: e.checkName,
    passed: e.passed,
    severity: e.severity,
    blocking: e.blocking,
    metadata: e.metadata as Record<string, unknown>,
  };
  if (e.partitionKey !== undefined) event.partitionKey = e.partitionKey;
  if (e.description !== undefined) event.description = e.description;
  return event;
}
