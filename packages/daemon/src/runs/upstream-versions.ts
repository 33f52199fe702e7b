import { type ExecutionPlan, inputRef } from '@cairn/core';
import type { Kysely } from 'kysely';
import type { CairnDatabase } from '../storage/schema.js';
import type {
  StoredAssetObservationEvent,
  StoredMaterializationEvent,
} from '../storage/stored-event.js';
import type { UpstreamVersion, UpstreamVersions } from '../workers/worker-pool-types.js';

// Partition keys per `in (...)` list: far below SQLite's (32766) and Postgres' (65535) bind limits.
const CHUNK = 500;

/**
 * The upstream partitions a plan reads that no `run` step of the plan computes, by asset key
 * ('' for an unpartitioned asset). Outputs of reused and skipped steps count as upstream: they
 * come from earlier runs.
 */
export function externalInputs(plan: ExecutionPlan): Map<string, Set<string>> {
  const produced = new Set<string>();
  for (const step of plan.steps) {
    if (step.mode !== 'run') continue;
    for (const key of step.assetKeys) produced.add(inputRef(key, step.partitionKey));
  }
  const out = new Map<string, Set<string>>();
  for (const step of plan.steps) {
    if (step.mode !== 'run') continue;
    for (const input of step.inputs) {
      for (const pk of input.partitionKeys ?? [undefined]) {
        if (produced.has(inputRef(input.assetKey, pk))) continue;
        let keys = out.get(input.assetKey);
        if (keys === undefined) {
          keys = new Set();
          out.set(input.assetKey, keys);
        }
        keys.add(pk ?? '');
      }
    }
  }
  return out;
}

/**
 * Reads from the storage indexes the current data version (latest materialization, or a newer
 * observation) of every upstream partition `plan` reads but does not compute, in batches of
 * `CHUNK` partitions per query. Partitions never materialized nor observed are left out.
 */
export async function readUpstreamVersions(
  db: Kysely<CairnDatabase>,
  plan: ExecutionPlan,
): Promise<UpstreamVersions> {
  const out: UpstreamVersions = {};
  for (const [assetKey, keySet] of externalInputs(plan)) {
    const keys = [...keySet];
    for (let i = 0; i < keys.length; i += CHUNK) {
      const rows = await db
        .selectFrom('asset_partitions as ap')
        .leftJoin('event_log as m', 'm.id', 'ap.last_materialization_event_id')
        .leftJoin('event_log as o', 'o.id', 'ap.last_observation_event_id')
        .select(['ap.partition_key', 'm.payload as mat', 'o.payload as obs'])
        .where('ap.asset_key', '=', assetKey)
        .where('ap.partition_key', 'in', keys.slice(i, i + CHUNK))
        .execute();
      for (const row of rows) {
        const version = toUpstreamVersion(row.mat, row.obs);
        if (version === undefined) continue;
        out[inputRef(assetKey, row.partition_key === '' ? undefined : row.partition_key)] = version;
      }
    }
  }
  return out;
}

/** Same rule as the staleness state: an observation with a data version wins unless older. */
function toUpstreamVersion(mat: string | null, obs: string | null): UpstreamVersion | undefined {
  let version: UpstreamVersion | undefined;
  if (mat !== null) {
    const m = JSON.parse(mat) as StoredMaterializationEvent;
    // As `toVersioned` reads it, so the version recorded matches the one staleness compares.
    const dataVersion = m.dataVersion ?? '';
    version = {
      dataVersion,
      timestamp: m.timestamp,
      source: 'materialization',
      materialization: {
        dataVersion,
        timestamp: m.timestamp,
        runId: m.runId ?? '',
        ...(m.codeVersion === undefined ? {} : { codeVersion: m.codeVersion }),
        metadata: m.metadata ?? {},
      },
    };
  }
  if (obs !== null) {
    const o = JSON.parse(obs) as StoredAssetObservationEvent;
    if (
      o.dataVersion !== undefined &&
      (version === undefined || Date.parse(o.timestamp) >= Date.parse(version.timestamp))
    ) {
      version = {
        dataVersion: o.dataVersion,
        timestamp: o.timestamp,
        source: 'observation',
        ...(version?.materialization === undefined
          ? {}
          : { materialization: version.materialization }),
      };
    }
  }
  return version;
}
