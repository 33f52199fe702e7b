import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { ApiError, api } from '../api/api-client.js';
import type { Tick, TickSource } from '../api/api-types.js';
import { Empty, ErrorState, Loading } from '../components/states.js';
import { StatusBadge } from '../components/status-badge.js';
import { useApi } from '../lib/use-api.js';

// Ticks are not events on the live stream, so the lists are read again this often (ms).
const REFRESH_MS = 5000;

/** Calls `reload` every `ms` while the page is visible. */
function useRefresh(reload: () => void, ms = REFRESH_MS): void {
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') reload();
    }, ms);
    return () => clearInterval(timer);
  }, [reload, ms]);
}

/** Schedules, sensors (start/stop, ticks with reasons) and automation evaluations. */
export function AutomationPage() {
  return (
    <div className="page">
      <h1>Automation</h1>
      <TickSources kind="schedules" />
      <TickSources kind="sensors" />
      <Evaluations />
    </div>
  );
}

function TickSources({ kind }: { kind: 'schedules' | 'sensors' }) {
  const list = useApi(() => api.tickSources(kind), [kind]);
  useRefresh(list.reload);
  const [open, setOpen] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const title = kind === 'schedules' ? 'Schedules' : 'Sensors';
  const toggle = async (s: TickSource) => {
    setError(null);
    setBusy(s.name);
    try {
      await api.tickSourceAction(kind, s.name, s.status === 'running' ? 'stop' : 'start');
      list.reload();
    } catch (err) {
      setError(err instanceof ApiError ? `${err.message} (${err.code})` : String(err));
    } finally {
      setBusy(null);
    }
  };
  return (
    <section>
      <h2>{title}</h2>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {list.error ? (
        list.error.code === 'CAIRN_NOT_AVAILABLE' ? (
          <Empty>This daemon does not run {kind}.</Empty>
        ) : (
          <ErrorState error={list.error} retry={list.reload} />
        )
      ) : !list.data ? (
        <Loading what={kind} />
      ) : list.data.length === 0 ? (
        <Empty>No {kind} in the definitions.</Empty>
      ) : (
        <table className="table" data-testid={kind}>
          <thead>
            <tr>
              <th>Name</th>
              <th>Status</th>
              <th>{kind === 'schedules' ? 'Cron' : 'Cursor'}</th>
              <th>Next tick</th>
              <th>Last tick</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.map((s) => (
              <tr key={s.name} data-testid={`${kind}-${s.name}`}>
                <td>
                  <button
                    type="button"
                    className="link"
                    aria-expanded={open === s.name}
                    title={`Show the ticks of ${s.name}`}
                    onClick={() => setOpen(open === s.name ? null : s.name)}
                  >
                    {s.name}
                  </button>
                </td>
                <td>
                  <StatusBadge status={s.status} />
                </td>
                <td>
                  <code>
                    {kind === 'schedules'
                      ? `${s.cron ?? ''} ${s.timezone ?? ''}`
                      : (s.cursor ?? '—')}
                  </code>
                </td>
                <td>{s.nextTickAt ? new Date(s.nextTickAt).toLocaleString() : '—'}</td>
                <td>{s.lastTick ? tickText(s.lastTick) : '—'}</td>
                <td>
                  <button
                    type="button"
                    aria-label={`${s.status === 'running' ? 'Stop' : 'Start'} ${s.name}`}
                    disabled={busy === s.name}
                    onClick={() => void toggle(s)}
                  >
                    {s.status === 'running' ? 'Stop' : 'Start'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open && <Ticks kind={kind} name={open} />}
    </section>
  );
}

function Ticks({ kind, name }: { kind: 'schedules' | 'sensors'; name: string }) {
  const ticks = useApi(() => api.ticks(kind, name, 30), [kind, name]);
  useRefresh(ticks.reload);
  if (ticks.error) return <ErrorState error={ticks.error} retry={ticks.reload} />;
  if (!ticks.data) return <Loading what="ticks" />;
  return (
    <div className="card" data-testid={`ticks-${name}`}>
      <h3>Ticks of {name}</h3>
      {ticks.data.ticks.length === 0 ? (
        <p className="muted">No ticks yet.</p>
      ) : (
        <TickList ticks={ticks.data.ticks} />
      )}
    </div>
  );
}

function Evaluations() {
  const evals = useApi(() => api.evaluations({ limit: 50 }), []);
  return (
    <section>
      <h2>Automation condition evaluations</h2>
      {evals.error ? (
        evals.error.code === 'CAIRN_NOT_AVAILABLE' ? (
          <Empty>This daemon does not evaluate automation conditions.</Empty>
        ) : (
          <ErrorState error={evals.error} retry={evals.reload} />
        )
      ) : !evals.data ? (
        <Loading what="evaluations" />
      ) : evals.data.evaluations.length === 0 ? (
        <Empty>
          No evaluations yet: assets with automation conditions are evaluated each tick.
        </Empty>
      ) : (
        <TickList ticks={evals.data.evaluations} />
      )}
    </section>
  );
}

function TickList({ ticks }: { ticks: Tick[] }) {
  return (
    <ul className="plain ticks">
      {ticks.map((t, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: ticks are a static snapshot
        <li key={i}>
          {tickText(t)}
          {Array.isArray(t.runIds) &&
            t.runIds.map((r) => (
              <Link key={r} className="chip" to={`/runs/${r}`}>
                {r.slice(0, 8)}
              </Link>
            ))}
        </li>
      ))}
    </ul>
  );
}

/** A tick in one line: when, outcome and why. */
function tickText(t: Tick): string {
  // Schedule and sensor ticks carry `createdAt` (and `tickKey`), evaluations a `timestamp`.
  const at = [t.timestamp, t.createdAt, t.tickKey].find((v) => typeof v === 'string');
  const when = typeof at === 'string' ? new Date(at).toLocaleString() : '';
  const status =
    t.status ?? (typeof t.requested === 'boolean' ? (t.requested ? 'requested' : 'skipped') : '');
  const assetKey = typeof t.assetKey === 'string' ? ` ${t.assetKey}` : '';
  const reason =
    t.reason ??
    (typeof t.skipReason === 'string' ? t.skipReason : typeof t.error === 'string' ? t.error : '');
  return `${when} ${status}${assetKey}${reason ? ` — ${reason}` : ''}`.trim();
}
