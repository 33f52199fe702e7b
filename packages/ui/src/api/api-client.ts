import type {
  AssetCheckState,
  AssetDetail,
  AssetNode,
  Backfill,
  BackfillRequest,
  EventRecord,
  GraphResponse,
  LaunchRequest,
  LogLine,
  MaterializationRecord,
  PartitionStatus,
  PartitionsResponse,
  Run,
  RunStep,
  StalenessResponse,
  Tick,
  TickSource,
} from './api-types.js';

/** An error answered by the API (`{ error: { code, message, details } }`) or a network failure. */
export class ApiError extends Error {
  /** HTTP status; 0 when the daemon could not be reached. */
  readonly status: number;
  /** The API's stable error code, or CAIRN_UI_UNREACHABLE when the daemon did not answer. */
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

const TOKEN_KEY = 'cairn.token';

/** The bearer token the user typed in the login field (kept in sessionStorage, per tab). */
export function getToken(): string | null {
  try {
    return globalThis.sessionStorage?.getItem(TOKEN_KEY) ?? null;
  } catch {
    return null;
  }
}

/** Stores (or clears, with null) the bearer token. */
export function setToken(token: string | null): void {
  if (token === null || token === '') globalThis.sessionStorage?.removeItem(TOKEN_KEY);
  else globalThis.sessionStorage?.setItem(TOKEN_KEY, token);
}

/** Encodes an asset key for a path segment (`shop/raw_orders` → `shop%2Fraw_orders`). */
export function encodeKey(key: string): string {
  return encodeURIComponent(key);
}

/** Builds a query string from defined, non-empty values. */
export function query(
  params: Record<string, string | number | boolean | undefined | null>,
): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}

/** Sends one request to the API and returns its JSON body, throwing ApiError on failure. */
export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = getToken();
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (err) {
    throw new ApiError(
      0,
      'CAIRN_UI_UNREACHABLE',
      `The daemon did not answer ${method} ${path} (${(err as Error).message}). Is cairn dev running?`,
    );
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text === '' ? null : JSON.parse(text);
  } catch {
    // A proxy or a non-API server answered; reported below with the status.
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(
      res.status,
      err?.code ?? `HTTP_${res.status}`,
      err?.message ?? `${method} ${path} answered ${res.status} ${res.statusText}`,
    );
  }
  return json as T;
}

/** The typed client of the routes the UI uses (see docs/daemon/api.md for the route table). */
export const api = {
  health: () =>
    request<{ status: string; version: string; uptimeSeconds: number }>('GET', '/api/health'),
  graph: (p: { select?: string } = {}) => request<GraphResponse>('GET', `/api/graph${query(p)}`),
  assets: (p: { select?: string; group?: string }) =>
    request<{ assets: AssetNode[] }>('GET', `/api/assets${query(p)}`),
  asset: (key: string) => request<{ asset: AssetDetail }>('GET', `/api/assets/${encodeKey(key)}`),
  partitions: (
    key: string,
    p: { status?: PartitionStatus; offset?: number; limit?: number } = {},
  ) => request<PartitionsResponse>('GET', `/api/assets/${encodeKey(key)}/partitions${query(p)}`),
  materializations: (
    key: string,
    p: { partition?: string; limit?: number; cursor?: string } = {},
  ) =>
    request<{ materializations: MaterializationRecord[]; nextCursor: string | null }>(
      'GET',
      `/api/assets/${encodeKey(key)}/materializations${query(p)}`,
    ),
  checks: (key: string, p: { partition?: string } = {}) =>
    request<{ checks: AssetCheckState[] }>(
      'GET',
      `/api/assets/${encodeKey(key)}/checks${query(p)}`,
    ),
  staleness: (
    key: string,
    p: { partition?: string; status?: string; limit?: number; cursor?: string } = {},
  ) => request<StalenessResponse>('GET', `/api/assets/${encodeKey(key)}/staleness${query(p)}`),
  wipe: (key: string, partitionKeys?: string[]) =>
    request<{ wiped: number }>(
      'POST',
      `/api/assets/${encodeKey(key)}/wipe`,
      partitionKeys ? { partitionKeys } : {},
    ),
  launch: (body: LaunchRequest) =>
    request<{ runId?: string; backfillId?: string }>('POST', '/api/runs', body),
  runs: (p: {
    status?: string;
    asset?: string;
    partition?: string;
    tag?: string;
    backfill?: string;
    limit?: number;
    cursor?: string;
  }) => request<{ runs: Run[]; nextCursor: string | null }>('GET', `/api/runs${query(p)}`),
  run: (id: string) =>
    request<{ run: Run; steps: RunStep[] }>('GET', `/api/runs/${encodeURIComponent(id)}`),
  runEvents: (id: string, p: { after?: number; limit?: number } = {}) =>
    request<{ events: EventRecord[]; nextCursor: string | null }>(
      'GET',
      `/api/runs/${encodeURIComponent(id)}/events${query(p)}`,
    ),
  runLogs: (id: string, p: { step?: string } = {}) =>
    request<{ logs: LogLine[] }>('GET', `/api/runs/${encodeURIComponent(id)}/logs${query(p)}`),
  cancelRun: (id: string) =>
    request<{ run: Run }>('POST', `/api/runs/${encodeURIComponent(id)}/cancel`, {}),
  reexecute: (id: string, fromFailure = true) =>
    request<{ runId: string }>('POST', `/api/runs/${encodeURIComponent(id)}/reexecute`, {
      fromFailure,
    }),
  backfills: (p: { status?: string; limit?: number; cursor?: string } = {}) =>
    request<{ backfills: Backfill[]; nextCursor: string | null }>(
      'GET',
      `/api/backfills${query(p)}`,
    ),
  backfill: (id: string) =>
    request<{ backfill: Backfill } & Record<string, unknown>>(
      'GET',
      `/api/backfills/${encodeURIComponent(id)}`,
    ),
  launchBackfill: (body: BackfillRequest) =>
    request<{ backfillId: string }>('POST', '/api/backfills', body),
  backfillAction: (id: string, action: 'cancel' | 'resume' | 'retry-failed') =>
    request<unknown>('POST', `/api/backfills/${encodeURIComponent(id)}/${action}`, {}),
  tickSources: (kind: 'schedules' | 'sensors') =>
    request<Record<string, TickSource[]>>('GET', `/api/${kind}`).then((r) => r[kind] ?? []),
  tickSourceAction: (kind: 'schedules' | 'sensors', name: string, action: 'start' | 'stop') =>
    request<unknown>('POST', `/api/${kind}/${encodeURIComponent(name)}/${action}`, {}),
  ticks: (kind: 'schedules' | 'sensors', name: string, limit = 20) =>
    request<{ ticks: Tick[] }>(
      'GET',
      `/api/${kind}/${encodeURIComponent(name)}/ticks${query({ limit })}`,
    ),
  evaluations: (p: { asset?: string; limit?: number } = {}) =>
    request<{ evaluations: Tick[] }>('GET', `/api/automation/evaluations${query(p)}`),
};
