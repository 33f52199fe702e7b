import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError, api } from '../api/api-client.js';
import type { Backfill } from '../api/api-types.js';
import { Empty, ErrorState, Loading } from '../components/states.js';
import { StatusBadge } from '../components/status-badge.js';
import { useApi, useLiveEvents } from '../lib/use-api.js';
import { RunTable, selectionText } from './runs-page.js';

const isBackfillEvent = (t: string) =>
  t.startsWith('backfill_') || t === 'run_finished' || t === 'run_queued';

/** The backfills list. */
export function BackfillsPage() {
  const list = useApi(() => api.backfills({ limit: 100 }), []);
  useLiveEvents((r) => isBackfillEvent(r.event.type), list.reload, 1000);
  return (
    <div className="page">
      <h1>Backfills</h1>
      {list.error ? (
        <ErrorState error={list.error} retry={list.reload} />
      ) : !list.data ? (
        <Loading what="backfills" />
      ) : list.data.backfills.length === 0 ? (
        <Empty>
          No backfills yet. Materializing many partitions from an asset page creates one.
        </Empty>
      ) : (
        <table className="table" data-testid="backfills">
          <thead>
            <tr>
              <th>Backfill</th>
              <th>State</th>
              <th>Selection</th>
              <th>Progress</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {list.data.backfills.map((b) => (
              <tr key={b.backfillId}>
                <td>
                  <Link to={`/backfills/${b.backfillId}`}>{b.backfillId.slice(0, 8)}</Link>
                </td>
                <td>
                  <StatusBadge status={b.state} />
                </td>
                <td className="meta">{selectionText(b.selection)}</td>
                <td>
                  <Progress counts={b.counts} total={b.total} />
                </td>
                <td>{new Date(b.createdAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** A stacked progress bar of ledger counts, with the numbers in words. */
function Progress({ counts, total }: { counts: Record<string, number>; total: number }) {
  const order = ['materialized', 'failed', 'in_progress', 'requested', 'canceled', 'skipped'];
  const keys = [
    ...order.filter((k) => k in counts),
    ...Object.keys(counts).filter((k) => !order.includes(k)),
  ];
  return (
    <div className="progress-cell">
      <div className="progress" aria-hidden="true">
        {keys.map((k) =>
          (counts[k] ?? 0) > 0 ? (
            <span
              key={k}
              className={`seg-${k === 'in_progress' ? 'inProgress' : k}`}
              style={{ width: `${((counts[k] ?? 0) / Math.max(1, total)) * 100}%` }}
            />
          ) : null,
        )}
      </div>
      <span className="small">
        {keys
          .filter((k) => (counts[k] ?? 0) > 0)
          .map((k) => `${counts[k]!.toLocaleString()} ${k.replace('_', ' ')}`)
          .join(' · ')}{' '}
        of {total.toLocaleString()}
      </span>
    </div>
  );
}

/** One backfill: progress per asset, its runs (one per partition), cancel / resume / retry failed. */
export function BackfillPage() {
  const id = useParams().id ?? '';
  const [version, setVersion] = useState(0);
  const detail = useApi(async () => {
    const [{ backfill }, runs] = await Promise.all([
      api.backfill(id),
      api.runs({ backfill: id, limit: 100 }),
    ]);
    return { backfill: backfill as Backfill, runs: runs.runs };
  }, [id, version]);
  useLiveEvents(
    (r) => isBackfillEvent(r.event.type),
    () => setVersion((v) => v + 1),
    1000,
  );
  const [error, setError] = useState<string | null>(null);
  if (detail.error && !detail.data)
    return <ErrorState error={detail.error} retry={detail.reload} />;
  if (!detail.data) return <Loading what={`backfill ${id}`} />;
  const { backfill: b, runs } = detail.data;
  const act = async (a: 'cancel' | 'resume' | 'retry-failed') => {
    setError(null);
    try {
      await api.backfillAction(b.backfillId, a);
      setVersion((v) => v + 1);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };
  const active = b.state === 'requested' || b.state === 'in_progress';
  return (
    <div className="page">
      <header className="page-header">
        <h1>
          Backfill <code>{b.backfillId.slice(0, 8)}</code>
        </h1>
        <StatusBadge status={b.state} />
        <span className="spacer" />
        <button type="button" className="danger" disabled={!active} onClick={() => act('cancel')}>
          Cancel
        </button>
        <button type="button" disabled={active} onClick={() => act('resume')}>
          Resume
        </button>
        <button
          type="button"
          disabled={(b.counts.failed ?? 0) === 0}
          onClick={() => act('retry-failed')}
        >
          Retry failed
        </button>
      </header>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <p>
        {selectionText(b.selection)} · {b.chunks} chunk(s) · pass {b.passes} · {b.runsInFlight}{' '}
        run(s) in flight
      </p>
      <Progress counts={b.counts} total={b.total} />
      <h2>Per asset</h2>
      <table className="table">
        <tbody>
          {Object.entries(b.assets).map(([k, c]) => (
            <tr key={k}>
              <td>
                <Link to={`/assets/${encodeURIComponent(k)}`}>{k}</Link>
              </td>
              <td>
                <Progress counts={c} total={Object.values(c).reduce((s, n) => s + n, 0)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Runs (one per partition)</h2>
      {runs.length === 0 ? (
        <p className="muted">No runs submitted yet.</p>
      ) : (
        <RunTable runs={runs} />
      )}
    </div>
  );
}
