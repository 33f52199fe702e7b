/**
 * The shapes of the REST API's answers (docs/daemon/api.md), written down here because the UI talks
 * only HTTP to the daemon and never imports its packages. Fields the UI does not read are omitted.
 */

/** Partition counts and staleness of one asset (`stale` is null when not evaluated). */
export interface StatusSummary {
  total: number;
  materialized: number;
  failed: number;
  inProgress: number;
  missing: number;
  stale: number | null;
}

/** A partitions definition as the API describes it. */
export type PartitionsSnapshot =
  | { type: 'time'; cron: string; timezone: string; fmt: string; start: string; end?: string }
  | { type: 'static'; keys: string[] }
  | { type: 'dynamic'; name: string }
  | { type: 'multi'; dimensions: { name: string; partitions: PartitionsSnapshot }[] };

/** One asset of the graph. */
export interface AssetNode {
  key: string;
  group: string;
  kinds: string[];
  tags: Record<string, string>;
  owners: string[];
  description: string | null;
  partitions: PartitionsSnapshot | null;
  codeVersion: string | null;
  external: boolean;
  checks: string[];
  status: StatusSummary;
  /** Names of checks whose latest result (newest of any partition) failed. */
  failingChecks: string[];
}

/** One dependency edge. */
export interface AssetEdge {
  from: string;
  to: string;
  mapping: { type: string } & Record<string, unknown>;
}

/** GET /api/graph. */
export interface GraphResponse {
  nodes: AssetNode[];
  edges: AssetEdge[];
}

/** Stored partition status as the API spells it. */
export type PartitionStatus = 'materialized' | 'failed' | 'inProgress' | 'missing';

/** A run of consecutive partitions with one status. */
export interface PartitionRange {
  startIndex: number;
  /** Exclusive. */
  endIndex: number;
  startKey: string | null;
  /** Key of the last partition in the range. */
  endKey: string | null;
  status: PartitionStatus;
}

/** GET /api/assets/:key/partitions. */
export interface PartitionsResponse {
  total: number;
  counts: Record<PartitionStatus, number>;
  ranges: PartitionRange[];
  /** Offset of the next page of ranges, null at the end. */
  nextOffset: number | null;
}

/** One materialization of an asset partition. */
export interface MaterializationRecord {
  eventId?: number;
  id?: number;
  runId?: string | null;
  partitionKey?: string | null;
  timestamp: string;
  metadata?: Record<string, unknown>;
  dataVersion?: string;
  codeVersion?: string | null;
}

/** One check result. */
export interface CheckResult {
  passed: boolean;
  severity?: 'warn' | 'error';
  partitionKey?: string | null;
  timestamp?: string;
  description?: string | null;
  metadata?: Record<string, unknown>;
  runId?: string | null;
}

/** One check of an asset with its latest result. */
export interface AssetCheckState {
  checkId: string;
  name: string;
  severity: 'warn' | 'error';
  blocking: boolean;
  latest: CheckResult | null;
}

/** GET /api/assets/:key. */
export interface AssetDetail extends AssetNode {
  latestMaterialization: MaterializationRecord | null;
  /** Latest results per check and partition. */
  checkResults?: (CheckResult & { checkId?: string; checkName?: string })[];
}

/** One partition's staleness. */
export interface PartitionStaleness {
  partitionKey: string | null;
  status: 'fresh' | 'stale' | 'missing';
  causes: unknown[];
  explanation?: string;
}

/** GET /api/assets/:key/staleness. */
export interface StalenessResponse {
  counts: { fresh: number; stale: number; missing: number };
  partitions: PartitionStaleness[];
  nextCursor: string | null;
}

/** Run status. */
export type RunStatus = 'queued' | 'started' | 'success' | 'failure' | 'canceled';

/** A run. */
export interface Run {
  runId: string;
  status: RunStatus;
  backfillId: string | null;
  priority: number;
  tags: Record<string, string>;
  selection: unknown;
  partitionKeys: string[] | null;
  partitionRange: { start: string; end: string } | null;
  queuedAt: string | null;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
}

/** A step of a run, as GET /api/runs/:id reports it. */
export interface RunStep {
  stepKey: string;
  status?: string;
  startedAt?: string | null;
  endedAt?: string | null;
  assetKeys?: string[];
  partitionKey?: string | null;
}

/** One stored event (run events and asset events). */
export interface EventRecord {
  id: number;
  event: { type: string; timestamp?: string; runId?: string; stepKey?: string } & Record<
    string,
    unknown
  >;
}

/** One log line of a run. */
export interface LogLine {
  timestamp: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  stepKey?: string | null;
}

/** A backfill with its progress. */
export interface Backfill {
  backfillId: string;
  /** requested, in_progress, canceling, canceled, completed or failed. */
  state: string;
  createdAt: string;
  selection: string | string[];
  partitions: unknown;
  chunks: number;
  passes: number;
  total: number;
  /** Asset partitions per ledger status (requested, in_progress, materialized, failed, ...). */
  counts: Record<string, number>;
  /** The same counts per asset key. */
  assets: Record<string, Record<string, number>>;
  runsInFlight: number;
}

/** A schedule or a sensor with its state. */
export interface TickSource {
  name: string;
  status: 'running' | 'stopped';
  cron?: string;
  timezone?: string;
  nextTickAt?: string | null;
  lastTick?: Tick | null;
  cursor?: string | null;
}

/** One evaluation tick of a schedule, sensor or automation. */
export interface Tick {
  timestamp?: string;
  status?: string;
  reason?: string | null;
  runIds?: string[];
  [field: string]: unknown;
}

/** The body of POST /api/runs. */
export interface LaunchRequest {
  selection: string | string[];
  partitions?: { keys?: string[]; range?: { from: string; to: string } };
  tags?: Record<string, string>;
}

/** The body of POST /api/backfills. */
export interface BackfillRequest {
  selection: string | string[];
  partitions: {
    keys?: string[];
    range?: { from: string; to: string };
    missing?: true;
    failed?: true;
  };
}
