/**
 * The shapes of the REST API's responses, as the client sees them (the agreed route table of
 * issue 5; see docs/cli.md). Fields the API may add later are allowed: the client reads what it
 * names and passes the rest through.
 */

/** `GET /api/health`. */
export interface HealthResponse {
  status: 'ok';
  version: string;
  uptimeSeconds: number;
}

/** Partition status counts of one asset. */
export interface AssetStatusCounts {
  total: number;
  materialized: number;
  failed: number;
  inProgress: number;
  missing: number;
  /** Null while the daemon does not compute staleness. */
  stale: number | null;
}

/** One asset node of `GET /api/graph` and `GET /api/assets`. */
export interface ApiAssetNode {
  key: string;
  group: string;
  kinds: string[];
  tags: Record<string, string>;
  owners: string[];
  description: string | null;
  partitions: Record<string, unknown> | null;
  codeVersion: string | null;
  external: boolean;
  checks: string[];
  /** Names of the checks whose latest result (newest of any partition) failed. */
  failingChecks: string[];
  status: AssetStatusCounts;
}

/** `GET /api/graph`. */
export interface GraphResponse {
  nodes: ApiAssetNode[];
  edges: { from: string; to: string; mapping: Record<string, unknown> }[];
}

/** `GET /api/assets/:key/partitions`. */
export interface PartitionStatusResponse {
  total: number;
  counts: { materialized: number; failed: number; inProgress: number; missing: number };
  ranges: {
    startIndex: number;
    endIndex: number;
    startKey: string;
    endKey: string;
    status: string;
  }[];
}

/** `GET /api/assets/:key/staleness`. */
export interface StalenessResponse {
  counts: { fresh: number; stale: number; missing: number };
  partitions: {
    partitionKey: string | null;
    status: string;
    causes: unknown[];
    explanation?: string;
  }[];
  nextCursor: string | null;
}

/** A run as the API returns it. */
export interface ApiRun {
  runId: string;
  status: string;
  backfillId?: string | null;
  tags?: Record<string, string>;
  selection?: string | string[] | null;
  partitionKeys?: string[] | null;
  counts?: Record<string, number> | null;
  queuedAt?: string | null;
  startedAt?: string | null;
  endedAt?: string | null;
  durationMs?: number | null;
  [field: string]: unknown;
}

/** A step of a run. */
export interface ApiStep {
  stepKey: string;
  status: string;
  assetKeys?: string[];
  partitionKey?: string | null;
  attempts?: number;
  error?: unknown;
  [field: string]: unknown;
}

/** A backfill as the API returns it (with counts and per-asset progress in detail). */
export interface ApiBackfill {
  backfillId: string;
  /** requested, completed, failed, canceled... */
  state: string;
  selection?: string | string[];
  createdAt?: string;
  total?: number;
  counts?: Record<string, number>;
  assets?: Record<string, Record<string, number>>;
  [field: string]: unknown;
}

/** Partitions of a run or backfill request. */
export interface PartitionsRequest {
  keys?: string[];
  range?: { from: string; to: string };
}

/** Partitions of `POST /api/backfills`. */
export interface BackfillPartitionsRequest extends PartitionsRequest {
  missing?: true;
  failed?: true;
}

/** A page of a list endpoint. */
export interface Page {
  limit?: number;
  cursor?: string;
}
