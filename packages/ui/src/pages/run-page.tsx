import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError, api } from '../api/api-client.js';
import type { EventRecord } from '../api/api-types.js';
import { ErrorState, Loading } from '../components/states.js';
import { StatusBadge } from '../components/status-badge.js';
import { ganttBars } from '../lib/gantt.js';
import { useApi, useLiveEvents } from '../lib/use-api.js';
import { partitionText, selectionText } from './runs-page.js';

/** All events of a run (paged by `after`). */
async function allEvents(id: string): Promise<EventRecord[]> {
  const out: EventRecord[] = [];
  let after: number | undefined;
  for (let i = 0; i < 50; i++) {
    const page = await api.runEvents(id, {
      limit: 1000,
      ...(after === undefined ? {} : { after }),
    });
    out.push(...page.events);
    if (page.nextCursor === null || page.events.length === 0) break;
    after = page.events[page.events.length - 1]!.id;
  }
  return out;
}

/** The run page: status, step timeline (Gantt), live logs and events, cancel and re-execute. */
export function RunPage() {
  const id = useParams().id ?? '';
  const navigate = useNavigate();
  const [version, setVersion] = useState(0);
  const run = useApi(async () => {
    const [r, events, logs] = await Promise.all([api.run(id), allEvents(id), api.runLogs(id)]);
    return { ...r, events, logs: logs.logs };
  }, [id, version]);
  useLiveEvents(
    (r) => r.event.runId === id,
    () => setVersion((v) => v + 1),
    300,
  );
  const [tab, setTab] = useState<'logs' | 'events'>('logs');
  const [actionError, setActionError] = useState<string | null>(null);

  if (run.error && !run.data) return <ErrorState error={run.error} retry={run.reload} />;
  if (!run.data) return <Loading what={`run ${id}`} />;
  const { run: r, events, logs } = run.data;
  const { bars, spanMs } = ganttBars(events);
  const act = async (f: () => Promise<unknown>) => {
    setActionError(null);
    try {
      await f();
      setVersion((v) => v + 1);
    } catch (err) {
      setActionError(err instanceof ApiError ? err.message : String(err));
    }
  };
  const finished = r.status === 'success' || r.status === 'failure' || r.status === 'canceled';
  return (
    <div className="page run-page">
      <header className="page-header">
        <h1>
          Run <code>{r.runId.slice(0, 8)}</code>
        </h1>
        <span data-testid="run-status">
          <StatusBadge status={r.status} />
        </span>
        <span className="spacer" />
        <button
          type="button"
          className="danger"
          disabled={finished}
          onClick={() => act(() => api.cancelRun(r.runId))}
        >
          Cancel
        </button>
        <button
          type="button"
          disabled={!finished}
          onClick={() =>
            act(async () => {
              const { runId } = await api.reexecute(r.runId, r.status === 'failure');
              navigate(`/runs/${runId}`);
            })
          }
        >
          {r.status === 'failure' ? 'Re-execute from failure' : 'Re-execute'}
        </button>
      </header>
      {actionError && (
        <p className="error" role="alert">
          {actionError}
        </p>
      )}
      <dl className="facts grid">
        <dt>Selection</dt>
        <dd>{selectionText(r.selection)}</dd>
        <dt>Partitions</dt>
        <dd>{partitionText(r)}</dd>
        <dt>Backfill</dt>
        <dd>
          {r.backfillId ? (
            <Link to={`/backfills/${r.backfillId}`}>{r.backfillId.slice(0, 8)}</Link>
          ) : (
            '—'
          )}
        </dd>
        <dt>Started</dt>
        <dd>{r.startedAt ? new Date(r.startedAt).toLocaleString() : '—'}</dd>
        <dt>Duration</dt>
        <dd>{r.durationMs === null ? '—' : `${(r.durationMs / 1000).toFixed(2)} s`}</dd>
        <dt>Tags</dt>
        <dd>
          {Object.entries(r.tags)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ') || '—'}
        </dd>
      </dl>
      <section aria-labelledby="timeline-h">
        <h2 id="timeline-h">Step timeline</h2>
        {bars.length === 0 ? (
          <p className="muted">No steps started yet.</p>
        ) : (
          <ul className="gantt">
            {bars.map((b) => {
              const left = (b.start / spanMs) * 100;
              const width = Math.max(0.5, (((b.end ?? spanMs) - b.start) / spanMs) * 100);
              return (
                <li key={b.stepKey} className="gantt-row">
                  <span className="gantt-label" title={b.stepKey}>
                    {b.stepKey}
                  </span>
                  <span className="gantt-track">
                    <span
                      className={`gantt-bar status-${b.status}`}
                      style={{ left: `${left}%`, width: `${Math.min(width, 100 - left)}%` }}
                      title={`${b.status}, ${b.end === null ? 'running' : `${(b.end - b.start).toFixed(0)} ms`}`}
                    />
                  </span>
                  <span className="gantt-word">{b.status}</span>
                </li>
              );
            })}
          </ul>
        )}
      </section>
      <section>
        <div className="tabs" role="tablist">
          <button
            type="button"
            role="tab"
            aria-selected={tab === 'logs'}
            onClick={() => setTab('logs')}
          >
            Logs ({logs.length})
          </button>
          <button
            type="button"
            role="tab"
            aria-selected={tab === 'events'}
            onClick={() => setTab('events')}
          >
            Events ({events.length})
          </button>
        </div>
        {tab === 'logs' ? (
          <pre className="logs" data-testid="run-logs">
            {logs.length === 0
              ? 'No log lines.'
              : logs
                  .map(
                    (l) =>
                      `${l.timestamp.slice(11, 23)} ${l.level.toUpperCase().padEnd(5)} ${l.stepKey ?? ''} ${l.message}`,
                  )
                  .join('\n')}
          </pre>
        ) : (
          <table className="table events">
            <tbody>
              {events.map(({ id: eid, event }) => (
                <tr key={eid}>
                  <td>{event.timestamp?.slice(11, 23)}</td>
                  <td>{event.type}</td>
                  <td>{event.stepKey ?? ''}</td>
                  <td className="meta">{eventSummary(event)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

function eventSummary(e: EventRecord['event']): string {
  if (e.type === 'materialization')
    return `materialized ${String(e.assetKey)} ${e.partitionKey ? `[${String(e.partitionKey)}]` : ''}`;
  if (e.type === 'check_evaluation')
    return `${String(e.checkName)}: ${e.passed ? 'passed' : 'failed'}`;
  if (e.type === 'step_failed')
    return String((e.error as { message?: string } | undefined)?.message ?? '');
  if (e.type === 'step_skipped') return String(e.reason ?? '');
  if (e.type === 'log') return String(e.message ?? '');
  if (e.type === 'run_finished') return String(e.status ?? '');
  return '';
}
