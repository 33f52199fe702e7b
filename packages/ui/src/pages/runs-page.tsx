import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/api-client.js';
import type { Run } from '../api/api-types.js';
import { Empty, ErrorState, Loading } from '../components/states.js';
import { StatusBadge } from '../components/status-badge.js';
import { useApi, useLiveEvents } from '../lib/use-api.js';

const FILTERS = ['status', 'asset', 'partition', 'tag', 'backfill'] as const;

/** The runs list with filters (status, asset, partition, tag, backfill) kept in the URL. */
export function RunsPage() {
  const [params, setParams] = useSearchParams();
  const filter = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? undefined]));
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const runs = useApi(
    () => api.runs({ ...filter, limit: 50, ...(cursor ? { cursor } : {}) }),
    [params.toString(), cursor],
  );
  useLiveEvents((r) => r.event.type.startsWith('run_'), runs.reload, 500);
  const [draft, setDraft] = useState(filter);
  return (
    <div className="page">
      <h1>Runs</h1>
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          setCursors([]);
          setParams(
            Object.fromEntries(Object.entries(draft).filter(([, v]) => v)) as Record<
              string,
              string
            >,
          );
        }}
      >
        <label>
          Status{' '}
          <select
            value={draft.status ?? ''}
            onChange={(e) => setDraft({ ...draft, status: e.target.value })}
          >
            <option value="">any</option>
            {['queued', 'started', 'success', 'failure', 'canceled'].map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        {(['asset', 'partition', 'tag', 'backfill'] as const).map((f) => (
          <input
            key={f}
            aria-label={f}
            placeholder={f === 'tag' ? 'tag key=value' : f}
            value={draft[f] ?? ''}
            onChange={(e) => setDraft({ ...draft, [f]: e.target.value })}
          />
        ))}
        <button type="submit">Filter</button>
      </form>
      {runs.error ? (
        <ErrorState error={runs.error} retry={runs.reload} />
      ) : !runs.data ? (
        <Loading what="runs" />
      ) : runs.data.runs.length === 0 ? (
        <Empty>
          No runs
          {params.toString() ? ' match these filters' : ' yet: materialize an asset from the graph'}
          .
        </Empty>
      ) : (
        <RunTable runs={runs.data.runs} />
      )}
      <div className="pager">
        <button
          type="button"
          disabled={cursors.length === 0}
          onClick={() => setCursors((c) => c.slice(0, -1))}
        >
          ← Newer
        </button>
        <button
          type="button"
          disabled={!runs.data?.nextCursor}
          onClick={() => runs.data?.nextCursor && setCursors((c) => [...c, runs.data!.nextCursor!])}
        >
          Older →
        </button>
      </div>
    </div>
  );
}

/** A table of runs. */
export function RunTable({ runs }: { runs: Run[] }) {
  return (
    <table className="table" data-testid="runs">
      <thead>
        <tr>
          <th>Run</th>
          <th>Status</th>
          <th>Selection</th>
          <th>Partitions</th>
          <th>Started</th>
          <th>Duration</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.runId}>
            <td>
              <Link to={`/runs/${r.runId}`}>{r.runId.slice(0, 8)}</Link>
            </td>
            <td>
              <StatusBadge status={r.status} />
            </td>
            <td className="meta">{selectionText(r.selection)}</td>
            <td>{partitionText(r)}</td>
            <td>
              {r.startedAt ? new Date(r.startedAt).toLocaleString() : r.queuedAt ? 'queued' : '—'}
            </td>
            <td>{r.durationMs === null ? '—' : `${(r.durationMs / 1000).toFixed(1)} s`}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A run's selection as text. */
export function selectionText(s: unknown): string {
  if (typeof s === 'string') return s;
  if (Array.isArray(s)) return s.join(', ');
  return JSON.stringify(s);
}

/** A run's partitions as text. */
export function partitionText(r: Run): string {
  if (r.partitionRange) return `${r.partitionRange.start} … ${r.partitionRange.end}`;
  if (r.partitionKeys && r.partitionKeys.length > 0) {
    return r.partitionKeys.length > 3
      ? `${r.partitionKeys.slice(0, 3).join(', ')} +${r.partitionKeys.length - 3}`
      : r.partitionKeys.join(', ');
  }
  return '—';
}
