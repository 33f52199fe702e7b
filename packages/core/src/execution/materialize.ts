import { randomUUID } from 'node:crypto';
import type { HistoryReader } from '../checks/asset-check.js';
import type { Definitions } from '../definitions-types.js';
import { CairnError } from '../errors.js';
import type { IOManager } from '../io/io-manager.js';
import type { DynamicPartitionsReader } from '../partitions/partitions-definition.js';
import type { ResourceDefinition } from '../resource.js';
import { inputRef } from '../versioning/data-version.js';
import { type Clock, systemClock } from './clock.js';
import { type ExecutionResult, executePlan, type StepFailure } from './engine.js';
import type { CheckEvaluationEvent, MaterializationEvent, RunEvent } from './events.js';
import { buildPlan } from './plan.js';
import type { RunHistory } from './run-history.js';

/** Options of `materialize()`. */
export interface MaterializeOptions {
  /** Which assets: a selection string or exact asset keys. Default `*` (all). */
  selection?: string | readonly string[];
  /** The partition to materialize. Default: none (required when a selected asset is partitioned). */
  partitionKey?: string;
  /** Several partitions. Default: none. */
  partitionKeys?: readonly string[];
  /** Partitions from `from` to `to`, both inclusive. Default: none. */
  partitionRange?: { from: string; to: string };
  /** Resources by name (a ResourceDefinition or a plain value), overriding the definitions'. */
  resources?: Readonly<Record<string, ResourceDefinition<any, any> | unknown>>;
  /** Run config by asset key. Default `{}`. */
  config?: Readonly<Record<string, unknown>>;
  /** IO managers by name, overriding the definitions'. */
  ioManagers?: Readonly<Record<string, IOManager>>;
  /** Where time comes from. Default `systemClock`. */
  clock?: Clock;
  /** Earlier materializations (e.g. the `history` of an earlier `materialize()`). Default: none. */
  history?: HistoryReader;
  /** Steps running at the same time, at most. Default 4. */
  maxConcurrency?: number;
  /** Cancels the run. Default: none. */
  signal?: AbortSignal;
  /** The run id. Default: a random UUID. */
  runId?: string;
  /** Where dynamic partition keys come from. Default: none. */
  dynamic?: DynamicPartitionsReader;
  /** Also receives each event as it happens. Default: none. */
  onEvent?: (event: RunEvent) => void;
}

/** The values computed by a `materialize()` run, by asset key and partition. */
export interface MaterializedValues {
  /** The value computed for the asset partition; throws CAIRN_INPUT_NOT_FOUND if this run did not compute it. */
  get<T = unknown>(assetKey: string, partitionKey?: string): T;
  /** True when this run computed the asset partition. */
  has(assetKey: string, partitionKey?: string): boolean;
}

/** What `materialize()` returns. */
export interface MaterializeRunResult {
  /** True when every step succeeded and no blocking check failed. */
  success: boolean;
  status: ExecutionResult['status'];
  runId: string;
  /** Every event of the run, in order. */
  events: RunEvent[];
  materializations: MaterializationEvent[];
  checkResults: CheckEvaluationEvent[];
  values: MaterializedValues;
  failures: StepFailure[];
  /** This run's materializations over `history`: pass it to the next `materialize()`. */
  history: RunHistory;
  /** The full engine result (step statuses, counts). */
  result: ExecutionResult;
}

/**
 * Materializes a selection of assets in this process: builds the plan, runs it and collects the
 * events and computed values. Meant for unit tests and scripts; the daemon runs the same plan and
 * engine in worker processes.
 *
 * @example
 * const run = await materialize(defs, { selection: 'shop/*', partitionKey: '2024-05-01' });
 * expect(run.success).toBe(true);
 * expect(run.values.get('shop/revenue', '2024-05-01')).toBe(120);
 */
export async function materialize(
  defs: Definitions,
  options: MaterializeOptions = {},
): Promise<MaterializeRunResult> {
  const clock = options.clock ?? systemClock;
  const plan = buildPlan(defs, {
    selection: options.selection ?? '*',
    partitionKey: options.partitionKey,
    partitionKeys: options.partitionKeys,
    partitionRange: options.partitionRange,
    now: clock.now(),
    dynamic: options.dynamic,
  });
  const events: RunEvent[] = [];
  const values = new Map<string, unknown>();
  const onEvent = options.onEvent;
  const result = await executePlan(defs, plan, {
    runId: options.runId ?? randomUUID(),
    clock,
    onEvent: onEvent
      ? (e) => {
          events.push(e);
          onEvent(e);
        }
      : (e) => events.push(e),
    signal: options.signal,
    maxConcurrency: options.maxConcurrency,
    resources: options.resources,
    config: options.config,
    history: options.history,
    ioManagers: options.ioManagers,
    onValue: (assetKey, partitionKey, value) => values.set(inputRef(assetKey, partitionKey), value),
  });
  return {
    success: result.success,
    status: result.status,
    runId: result.runId,
    events,
    materializations: result.materializations,
    checkResults: result.checkEvaluations,
    failures: result.failures,
    history: result.history,
    result,
    values: {
      get<T>(assetKey: string, partitionKey?: string): T {
        const ref = inputRef(assetKey, partitionKey);
        if (!values.has(ref)) {
          throw new CairnError(
            'CAIRN_INPUT_NOT_FOUND',
            `This run did not compute asset "${assetKey}"${partitionKey === undefined ? '' : ` partition "${partitionKey}"`} (computed: ${[...values.keys()].slice(0, 5).join(', ') || 'nothing'}). Select it, or check run.failures.`,
            { assetKey, partitionKey, runId: result.runId },
          );
        }
        return values.get(ref) as T;
      },
      has: (assetKey, partitionKey) => values.has(inputRef(assetKey, partitionKey)),
    },
  };
}
