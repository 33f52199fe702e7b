import { z } from 'zod';
import type { MaterializationRecord } from '../checks/asset-check.js';
import type { Definitions } from '../definitions-types.js';
import { CairnError } from '../errors.js';
import type {
  DynamicPartitionsReader,
  PartitionsDefinition,
} from '../partitions/partitions-definition.js';
import { resolveTarget } from './resolve-target.js';
import type { RunStatusEvent, SensorDefinition, SensorResultInput } from './sensor.js';

/** Options of `evaluateSensor()`: what the daemon persisted and the events since. */
export interface EvaluateSensorOptions {
  /** The evaluation's instant. Required. */
  now: Date;
  /** The cursor the previous evaluation returned. Default: none. */
  cursor?: string;
  /** The run key of the last run requested. Default: none. */
  lastRunKey?: string;
  /** When the sensor was last evaluated. Default: never. */
  lastEvaluatedAt?: Date;
  /** Asset sensors: the new materializations of the watched asset. Default `[]`. */
  materializations?: readonly MaterializationRecord[];
  /** Run-status sensors: the runs finished since the cursor (filtered by the sensor's status here). Default `[]`. */
  runs?: readonly RunStatusEvent[];
  /** Current dynamic partition keys, to validate partition keys. Default: none. */
  dynamic?: DynamicPartitionsReader;
}

/** A validated run request of a sensor. */
export interface SensorRunRequest {
  runKey: string | undefined;
  /** Asset keys in topological order. */
  assetKeys: string[];
  partitionKey: string | undefined;
  tags: Record<string, string>;
}

/** The validated outcome of one sensor evaluation. */
export interface SensorEvaluation {
  sensorName: string;
  status: 'requested' | 'skipped';
  runRequests: SensorRunRequest[];
  /** The cursor to persist (the previous one when the function returned none). */
  cursor: string | undefined;
  dynamicPartitions: { add: Record<string, string[]>; remove: Record<string, string[]> };
  skipReason: string | undefined;
}

const keys = z.record(z.string().min(1), z.array(z.string().min(1)));
const resultSchema = z
  .object({
    runRequests: z
      .array(
        z
          .object({
            selection: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
            partitionKey: z.string().min(1).optional(),
            runKey: z.string().min(1).optional(),
            tags: z.record(z.string(), z.string()).optional(),
          })
          .strict(),
      )
      .optional(),
    cursor: z.string().optional(),
    dynamicPartitions: z
      .object({ add: keys.optional(), remove: keys.optional() })
      .strict()
      .optional(),
    skipReason: z.string().optional(),
  })
  .strict();

/**
 * Runs a sensor's function with the given cursor and events and validates what it returned:
 * the shape (zod), unique run keys, selections that exist and share one partitions definition,
 * partition keys of the targets (counting dynamic keys added by the same result), and dynamic
 * partitions names the definitions use. Pure: the daemon persists the cursor and the tick.
 * Throws CAIRN_SENSOR_FAILED when the function throws (your error is the cause) and
 * CAIRN_INVALID_SENSOR_RESULT when the result is invalid.
 *
 * @example
 * const ev = await evaluateSensor(defs, newFiles, { now: new Date(), cursor: stored });
 */
export async function evaluateSensor(
  defs: Definitions,
  sensor: SensorDefinition,
  options: EvaluateSensorOptions,
): Promise<SensorEvaluation> {
  const owner = `sensor "${sensor.name}"`;
  const base = {
    cursor: options.cursor,
    now: options.now,
    lastRunKey: options.lastRunKey,
    lastEvaluatedAt: options.lastEvaluatedAt,
  };
  const skip = (reason: string): SensorEvaluation => ({
    sensorName: sensor.name,
    status: 'skipped',
    runRequests: [],
    cursor: options.cursor,
    dynamicPartitions: { add: {}, remove: {} },
    skipReason: reason,
  });
  let ctx: object = base;
  if (sensor.type === 'asset') {
    const materializations = (options.materializations ?? []).filter(
      (m) => m.assetKey === sensor.asset,
    );
    if (materializations.length === 0) return skip(`no new materialization of ${sensor.asset}`);
    ctx = { ...base, materializations };
  } else if (sensor.type === 'runStatus') {
    const runs = (options.runs ?? []).filter((r) => r.status === sensor.status);
    if (runs.length === 0) return skip(`no run finished with status ${sensor.status}`);
    ctx = { ...base, runs };
  }

  let raw: unknown;
  try {
    raw = await sensor.fn(Object.freeze(ctx));
  } catch (err) {
    throw new CairnError(
      'CAIRN_SENSOR_FAILED',
      `${owner} threw: ${err instanceof Error ? err.message : String(err)}. The cursor is left unchanged; fix the sensor function.`,
      { sensor: sensor.name },
      { cause: err },
    );
  }
  if (raw === undefined || raw === null) return skip('the sensor returned nothing');
  const parsed = resultSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalid(owner, `at "${issue.path.join('.')}": ${issue.message}`, {
      issues: parsed.error.issues,
    });
  }
  const result = parsed.data as SensorResultInput;
  const add = result.dynamicPartitions?.add ?? {};
  const remove = result.dynamicPartitions?.remove ?? {};
  const known = dynamicNames(defs);
  for (const name of [...Object.keys(add), ...Object.keys(remove)]) {
    if (!known.has(name)) {
      throw invalid(
        owner,
        `dynamic partitions "${name}" are used by no asset (known: ${[...known].map((n) => `"${n}"`).join(', ') || 'none'}); use the name given to dynamicPartitions().`,
        { name },
      );
    }
  }
  const dynamic: DynamicPartitionsReader = {
    getDynamicPartitionKeys(name) {
      const gone = new Set(remove[name] ?? []);
      const list = [...(options.dynamic?.getDynamicPartitionKeys(name) ?? [])];
      for (const k of add[name] ?? []) if (!list.includes(k)) list.push(k);
      return list.filter((k) => !gone.has(k));
    },
  };

  const runKeys = new Set<string>();
  const runRequests: SensorRunRequest[] = [];
  for (const [i, req] of (result.runRequests ?? []).entries()) {
    const where = `runRequests[${i}]`;
    const target = req.selection ?? sensor.target;
    if (target === undefined) {
      throw invalid(
        owner,
        `${where} has no "selection" and the sensor has no "target"; give one.`,
        {
          index: i,
        },
      );
    }
    let resolved: { assetKeys: string[]; partitions: PartitionsDefinition | undefined };
    try {
      resolved = resolveTarget(defs, target, `${owner} ${where}`);
    } catch (err) {
      throw invalid(owner, `${where}: ${(err as Error).message}`, { index: i }, err);
    }
    if (req.runKey !== undefined) {
      if (runKeys.has(req.runKey))
        throw invalid(owner, `${where} repeats run key "${req.runKey}"; run keys must be unique.`, {
          index: i,
        });
      runKeys.add(req.runKey);
    }
    const p = resolved.partitions;
    if (p === undefined && req.partitionKey !== undefined) {
      throw invalid(
        owner,
        `${where} gives partition "${req.partitionKey}" but ${resolved.assetKeys.join(', ')} are not partitioned; drop it.`,
        { index: i },
      );
    }
    if (p !== undefined) {
      if (req.partitionKey === undefined)
        throw invalid(
          owner,
          `${where} targets partitioned ${resolved.assetKeys[0]} without "partitionKey"; give one.`,
          { index: i },
        );
      if (!p.has(req.partitionKey, { now: options.now, dynamic }))
        throw invalid(
          owner,
          `${where} gives "${req.partitionKey}", which is not a partition of ${resolved.assetKeys[0]}; add it with dynamicPartitions.add or fix the key.`,
          { index: i, partitionKey: req.partitionKey },
        );
    }
    runRequests.push({
      runKey: req.runKey,
      assetKeys: resolved.assetKeys,
      partitionKey: req.partitionKey,
      tags: { ...(req.tags ?? {}), 'cairn/sensor': sensor.name },
    });
  }
  const requested = runRequests.length > 0;
  return {
    sensorName: sensor.name,
    status: requested ? 'requested' : 'skipped',
    runRequests,
    cursor: result.cursor ?? options.cursor,
    dynamicPartitions: { add, remove },
    skipReason: requested ? undefined : (result.skipReason ?? 'no run requested'),
  };
}

function invalid(
  owner: string,
  why: string,
  details: Record<string, unknown>,
  cause?: unknown,
): CairnError {
  return new CairnError(
    'CAIRN_INVALID_SENSOR_RESULT',
    `${owner} returned an invalid result: ${why}`,
    { ...details },
    cause === undefined ? undefined : { cause },
  );
}

/** Names of every dynamic partitions definition used by an asset (also as a multi dimension). */
function dynamicNames(defs: Definitions): Set<string> {
  const out = new Set<string>();
  const visit = (p: PartitionsDefinition | undefined) => {
    if (p === undefined) return;
    const snap = p.snapshot();
    const walk = (s: ReturnType<PartitionsDefinition['snapshot']>): void => {
      if (s.type === 'dynamic') out.add(s.name);
      else if (s.type === 'multi') for (const d of s.dimensions) walk(d.partitions);
    };
    walk(snap);
  };
  for (const a of defs.assets.values()) visit(a.partitions);
  return out;
}
