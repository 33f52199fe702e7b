import { DaemonError } from '../errors.js';
import type {
  ApiBackfill,
  ApiRun,
  ApiStep,
  BackfillPartitionsRequest,
  GraphResponse,
  HealthResponse,
  Page,
  PartitionStatusResponse,
  PartitionsRequest,
  StalenessResponse,
} from './api-types.js';

/** Options of `createClient()`. */
export interface CairnClientOptions {
  /** Base URL of the daemon's API. Default env `CAIRN_URL`, else `http://127.0.0.1:3000`. */
  url?: string;
  /** Bearer token. Default env `CAIRN_API_TOKEN`, else none. */
  token?: string;
  /** Per-request time limit in ms. Default 30,000. */
  timeoutMs?: number;
}

/** An error answer of the API: its stable code, message and details, plus the HTTP status. */
export class CairnApiError extends Error {
  override readonly name = 'CairnError';
  constructor(
    /** The API's error code, e.g. `CAIRN_UNKNOWN_RUN`. */
    readonly code: string,
    message: string,
    /** The HTTP status (400 invalid input, 404 unknown, 409 conflict...). */
    readonly status: number,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

// Interfaces of query fields (string | number | boolean | undefined) are not index signatures.
type Query = object;

function queryString(query: Query | undefined): string {
  if (query === undefined) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

/** Asset keys go into paths URL-encoded: `shop/raw_orders` → `shop%2Fraw_orders`. */
const enc = encodeURIComponent;

function isConnectionRefused(err: unknown): boolean {
  const cause = (err as { cause?: { code?: string } } | null)?.cause;
  const code = cause?.code ?? (err as { code?: string } | null)?.code;
  return (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'ENOTFOUND' ||
    code === 'EHOSTUNREACH'
  );
}

/**
 * A typed client of the daemon's REST API (fetch, JSON). Methods map one-to-one to routes;
 * errors are `CairnApiError` with the API's code, or CAIRN_DAEMON_UNREACHABLE when nothing
 * listens at the URL.
 *
 * @example
 * const client = createClient({ url: 'http://127.0.0.1:3000' });
 * const { runId } = await client.submitRun({ selection: 'shop/*' });
 */
export class CairnClient {
  readonly url: string;
  readonly #token: string | undefined;
  readonly #timeoutMs: number;

  constructor(options: CairnClientOptions = {}) {
    this.url = (options.url ?? process.env.CAIRN_URL ?? 'http://127.0.0.1:3000').replace(
      /\/+$/,
      '',
    );
    this.#token = options.token ?? process.env.CAIRN_API_TOKEN;
    if (this.#token === '') this.#token = undefined;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Sends one request and parses the JSON answer; throws `CairnApiError` on an error status. */
  async request<T>(
    method: 'GET' | 'POST',
    path: string,
    query?: Query,
    body?: unknown,
  ): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.#token !== undefined) headers.authorization = `Bearer ${this.#token}`;
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}${queryString(query)}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      if (isConnectionRefused(err)) {
        throw new DaemonError(
          'CAIRN_DAEMON_UNREACHABLE',
          `no daemon at ${this.url}: start one with \`cairn start\` or \`cairn dev\` (or pass --url / set CAIRN_URL).`,
          { url: this.url },
          { cause: err },
        );
      }
      throw new DaemonError(
        'CAIRN_DAEMON_UNREACHABLE',
        `request ${method} ${this.url}${path} failed: ${err instanceof Error ? err.message : String(err)}.`,
        { url: this.url },
        { cause: err },
      );
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? {} : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const e = (json as { error?: { code?: string; message?: string; details?: unknown } })?.error;
      throw new CairnApiError(
        typeof e?.code === 'string' ? e.code : 'CAIRN_API_ERROR',
        typeof e?.message === 'string'
          ? e.message
          : `${method} ${path} answered HTTP ${res.status}: ${text.slice(0, 200)}`,
        res.status,
        (e?.details as Record<string, unknown> | undefined) ?? {},
      );
    }
    if (json === undefined) {
      throw new CairnApiError(
        'CAIRN_API_ERROR',
        `${method} ${path} answered non-JSON: ${text.slice(0, 200)}`,
        res.status,
      );
    }
    return json as T;
  }

  /** `GET /api/health`. */
  health(): Promise<HealthResponse> {
    return this.request('GET', '/api/health');
  }

  /** `GET /api/graph`. */
  graph(): Promise<GraphResponse> {
    return this.request('GET', '/api/graph');
  }

  /** `GET /api/assets/:key`. */
  asset(key: string): Promise<{ asset: Record<string, unknown> }> {
    return this.request('GET', `/api/assets/${enc(key)}`);
  }

  /** `GET /api/assets/:key/partitions`. */
  partitions(
    key: string,
    query: { status?: string; offset?: number; limit?: number } = {},
  ): Promise<PartitionStatusResponse> {
    return this.request('GET', `/api/assets/${enc(key)}/partitions`, query);
  }

  /** `GET /api/assets/:key/staleness`. */
  staleness(
    key: string,
    query: { partition?: string; status?: string } & Page = {},
  ): Promise<StalenessResponse> {
    return this.request('GET', `/api/assets/${enc(key)}/staleness`, query);
  }

  /** `GET /api/assets/:key/checks`. */
  checks(key: string, partition?: string): Promise<{ checks: Record<string, unknown>[] }> {
    return this.request('GET', `/api/assets/${enc(key)}/checks`, { partition });
  }

  /** `POST /api/assets/:key/wipe`. */
  wipe(key: string, partitionKeys?: string[]): Promise<{ wiped: number }> {
    return this.request(
      'POST',
      `/api/assets/${enc(key)}/wipe`,
      undefined,
      partitionKeys === undefined ? {} : { partitionKeys },
    );
  }

  /** `POST /api/runs`: one run, or a backfill when many partitions. */
  submitRun(body: {
    selection: string;
    partitions?: PartitionsRequest;
    tags?: Record<string, string>;
    priority?: number;
  }): Promise<{ runId?: string; backfillId?: string }> {
    return this.request('POST', '/api/runs', undefined, body);
  }

  /** `GET /api/runs`. */
  runs(
    query: { status?: string; asset?: string; partition?: string; backfill?: string } & Page = {},
  ): Promise<{ runs: ApiRun[]; nextCursor: string | null }> {
    return this.request('GET', '/api/runs', query);
  }

  /** `GET /api/runs/:id`. */
  run(runId: string): Promise<{ run: ApiRun; steps: ApiStep[] }> {
    return this.request('GET', `/api/runs/${enc(runId)}`);
  }

  /** `POST /api/runs/:id/cancel` (409 when already finished). */
  cancelRun(runId: string): Promise<{ run: ApiRun }> {
    return this.request('POST', `/api/runs/${enc(runId)}/cancel`, undefined, {});
  }

  /** `POST /api/runs/:id/reexecute`. */
  reexecuteRun(runId: string, fromFailure = true): Promise<{ runId: string }> {
    return this.request('POST', `/api/runs/${enc(runId)}/reexecute`, undefined, { fromFailure });
  }

  /** `GET /api/backfills`. */
  backfills(
    query: { status?: string } & Page = {},
  ): Promise<{ backfills: ApiBackfill[]; nextCursor: string | null }> {
    return this.request('GET', '/api/backfills', query);
  }

  /** `GET /api/backfills/:id`. */
  backfill(id: string): Promise<{ backfill: ApiBackfill }> {
    return this.request('GET', `/api/backfills/${enc(id)}`);
  }

  /** `POST /api/backfills`. */
  createBackfill(body: {
    selection: string;
    partitions: BackfillPartitionsRequest;
  }): Promise<{ backfillId: string }> {
    return this.request('POST', '/api/backfills', undefined, body);
  }

  /** `POST /api/backfills/:id/cancel | resume | retry-failed`. */
  controlBackfill(
    id: string,
    action: 'cancel' | 'resume' | 'retry-failed',
  ): Promise<Record<string, unknown>> {
    return this.request('POST', `/api/backfills/${enc(id)}/${action}`, undefined, {});
  }
}

/** Creates a typed client of the daemon's REST API. */
export function createClient(options: CairnClientOptions = {}): CairnClient {
  return new CairnClient(options);
}
