import type { AnyAssetDefinition } from '../asset-types.js';
import type { MaterializationRecord } from '../checks/asset-check.js';
import type { Definitions } from '../definitions-types.js';
import { CairnError } from '../errors.js';
import { checkTargetInput, resolveTarget, type TargetInput } from './resolve-target.js';
import { checkName } from './schedule.js';

/** What every sensor function receives. */
export interface SensorContext {
  /** The cursor the previous evaluation returned (persisted by the daemon), or undefined the first time. */
  readonly cursor: string | undefined;
  /** The evaluation's instant. */
  readonly now: Date;
  /** The run key of the last run this sensor requested, if any. */
  readonly lastRunKey: string | undefined;
  /** When the sensor was last evaluated, if ever. */
  readonly lastEvaluatedAt: Date | undefined;
}

/** A finished run, as run-status sensors see it. */
export interface RunStatusEvent {
  runId: string;
  status: 'success' | 'failure';
  assetKeys: readonly string[];
  partitionKey: string | undefined;
  /** The error message of a failed run. */
  error?: string;
  finishedAt: Date;
}

/** The context of an asset sensor: the new materializations of its asset since its cursor. */
export interface AssetSensorContext extends SensorContext {
  readonly materializations: readonly MaterializationRecord[];
}

/** The context of a run-status sensor: the runs that finished with its status since its cursor. */
export interface RunStatusSensorContext extends SensorContext {
  readonly runs: readonly RunStatusEvent[];
}

/** A run a sensor asks for. */
export interface SensorRunRequestInput {
  /** What to run (a selection string, or a list of keys/selections). Default: the sensor's `target`. */
  selection?: string | readonly string[];
  /** The partition, required when the selection is partitioned. */
  partitionKey?: string;
  /** A key that de-duplicates runs: the daemon never launches two runs with one run key. */
  runKey?: string;
  /** Tags added to the run. */
  tags?: Record<string, string>;
}

/** What a sensor function returns (or nothing, to skip). */
export interface SensorResultInput {
  runRequests?: SensorRunRequestInput[];
  /** The new cursor; default: unchanged. */
  cursor?: string;
  /** Dynamic partition keys to add and remove, by dynamic partitions name, before the runs are launched. */
  dynamicPartitions?: { add?: Record<string, string[]>; remove?: Record<string, string[]> };
  /** Why nothing was requested, shown on the tick. */
  skipReason?: string;
}

// biome-ignore lint/suspicious/noConfusingVoidType: a sensor may be a plain (async) function that returns nothing.
type Returns = SensorResultInput | undefined | void | Promise<SensorResultInput | undefined | void>;

/** The resolved form of any sensor. */
export interface SensorDefinition {
  readonly kind: 'sensor';
  /** `standard` (a function), `asset` (on materializations of one asset) or `runStatus`. */
  readonly type: 'standard' | 'asset' | 'runStatus';
  readonly name: string;
  /** Seconds between evaluations. */
  readonly intervalSeconds: number;
  /** The default target of its run requests, if any. */
  readonly target: TargetInput | undefined;
  readonly description: string | undefined;
  /** Asset sensors: the watched asset key. */
  readonly asset: string | undefined;
  /** Run-status sensors: the watched status. */
  readonly status: 'success' | 'failure' | undefined;
  readonly fn: (ctx: any) => Returns;
  /** Called by `definitions()`: checks the target and the watched asset exist. */
  validate(defs: Definitions): void;
}

/** Options shared by every sensor. */
export interface SensorBaseOptions {
  /** Unique among schedules and sensors; `[A-Za-z0-9_-]+`. Required. */
  name: string;
  /** Seconds between evaluations. Default 30. */
  intervalSeconds?: number;
  /** Default target of run requests without a `selection`. Default: none (each request names one). */
  target?: TargetInput;
  /** Shown in the UI. Default: none. */
  description?: string;
}

function build(
  type: SensorDefinition['type'],
  options: SensorBaseOptions,
  fn: unknown,
  extra: { asset?: string; status?: 'success' | 'failure' } = {},
): SensorDefinition {
  const name = checkName(options?.name, 'Sensor');
  const owner = `sensor "${name}"`;
  const interval = options.intervalSeconds ?? 30;
  if (typeof interval !== 'number' || !Number.isFinite(interval) || interval <= 0) {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      `${owner} has intervalSeconds ${String(interval)}; give a number of seconds > 0.`,
      { sensor: name },
    );
  }
  if (typeof fn !== 'function') {
    throw new CairnError('CAIRN_INVALID_OPTIONS', `${owner} needs a function "fn".`, {
      sensor: name,
    });
  }
  const target = options.target === undefined ? undefined : checkTargetInput(options.target, owner);
  return Object.freeze({
    kind: 'sensor' as const,
    type,
    name,
    intervalSeconds: interval,
    target,
    description: options.description,
    asset: extra.asset,
    status: extra.status,
    fn: fn as SensorDefinition['fn'],
    validate(defs: Definitions) {
      if (target !== undefined) resolveTarget(defs, target, owner);
      if (extra.asset !== undefined) defs.asset(extra.asset);
    },
  });
}

/**
 * Declares a sensor: a function the daemon evaluates every `intervalSeconds` with its persisted
 * cursor; it returns run requests (de-duplicated by run key), a new cursor, dynamic partitions to
 * add or remove, or a skip reason.
 *
 * @example
 * sensor({ name: 'new_files', target: 'shop/raw_files', fn: ({ cursor }) => {
 *   const files = listFilesAfter(cursor);
 *   return { runRequests: files.map((f) => ({ partitionKey: f, runKey: f })), cursor: files.at(-1) ?? cursor,
 *     dynamicPartitions: { add: { files } } };
 * } });
 */
export function sensor(
  options: SensorBaseOptions & { fn: (ctx: SensorContext) => Returns },
): SensorDefinition {
  return build('standard', options, options?.fn);
}

/**
 * Declares a sensor on materializations of one asset: `fn` receives the materializations since the
 * cursor (the daemon advances it); it is not called when there are none.
 *
 * @example
 * assetSensor({ name: 'orders_landed', asset: orders, target: 'shop/report', fn: ({ materializations }) =>
 *   ({ runRequests: materializations.map((m) => ({ runKey: m.runId, partitionKey: m.partitionKey })) }) });
 */
export function assetSensor(
  options: SensorBaseOptions & {
    asset: AnyAssetDefinition | string;
    fn: (ctx: AssetSensorContext) => Returns;
  },
): SensorDefinition {
  const a = options?.asset;
  const key = typeof a === 'string' ? a : a?.key;
  if (typeof key !== 'string') {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      `assetSensor "${String(options?.name)}" needs "asset": an asset handle or key.`,
      { sensor: options?.name },
    );
  }
  return build('asset', options, options.fn, { asset: key });
}

/**
 * Declares a sensor on finished runs with one status (`failure` or `success`): `fn` receives those
 * runs since the cursor; it is not called when there are none.
 *
 * @example
 * runStatusSensor({ name: 'page_on_failure', status: 'failure', fn: async ({ runs }) => { await page(runs); } });
 */
export function runStatusSensor(
  options: SensorBaseOptions & {
    status: 'success' | 'failure';
    fn: (ctx: RunStatusSensorContext) => Returns;
  },
): SensorDefinition {
  const status = options?.status;
  if (status !== 'success' && status !== 'failure') {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      `runStatusSensor "${String(options?.name)}" has status ${JSON.stringify(status)}; use "success" or "failure".`,
      { sensor: options?.name },
    );
  }
  return build('runStatus', options, options.fn, { status });
}

/** True when `x` is what `sensor()`, `assetSensor()` or `runStatusSensor()` return. */
export function isSensorDefinition(x: unknown): x is SensorDefinition {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'sensor';
}
