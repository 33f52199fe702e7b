import { useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../api/api-client.js';
import type { MaterializationRecord } from '../api/api-types.js';
import { LineChart } from '../components/line-chart.js';
import { MaterializeDialog } from '../components/materialize-dialog.js';
import { ErrorState, Loading } from '../components/states.js';
import { StatusBadge } from '../components/status-badge.js';
import { assetStatusWord } from '../lib/asset-status.js';
import { useApi, useLiveEvents } from '../lib/use-api.js';
import { AssetPartitions } from './asset-partitions.js';
import { CheckWord } from './partition-detail.js';

/** The asset page: facts, lineage, partitions, history with charts, checks, staleness. */
export function AssetPage() {
  const key = decodeURIComponent(useParams().key ?? '');
  const [version, setVersion] = useState(0);
  const detail = useApi(async () => {
    const [{ asset }, up, down, mats, checks, stale] = await Promise.all([
      api.asset(key),
      api.assets({ select: `1+${key}` }).catch(() => ({ assets: [] })),
      api.assets({ select: `${key}+1` }).catch(() => ({ assets: [] })),
      api.materializations(key, { limit: 100 }),
      api.checks(key),
      api.staleness(key, { status: 'stale', limit: 20 }).catch(() => null),
    ]);
    return {
      asset,
      upstream: up.assets.map((a) => a.key).filter((k) => k !== key),
      downstream: down.assets.map((a) => a.key).filter((k) => k !== key),
      mats: mats.materializations,
      checks: checks.checks,
      stale,
    };
  }, [key, version]);
  useLiveEvents(
    (r) => r.event.assetKey === key || r.event.type === 'run_finished',
    () => setVersion((v) => v + 1),
    500,
  );
  const [dialogKey, setDialogKey] = useState<string | null | undefined>(undefined);
  const [confirmWipe, setConfirmWipe] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const wipeCancel = useRef<HTMLButtonElement>(null);
  const wipeOpener = useRef<HTMLButtonElement>(null);
  // The confirmation takes the focus (on Cancel, the safe answer) and gives it back when it closes.
  useEffect(() => {
    if (confirmWipe) wipeCancel.current?.focus();
  }, [confirmWipe]);
  const closeWipe = () => {
    setConfirmWipe(false);
    wipeOpener.current?.focus();
  };

  if (detail.error && !detail.data)
    return <ErrorState error={detail.error} retry={detail.reload} />;
  if (!detail.data) return <Loading what={key} />;
  const { asset, upstream, downstream, mats, checks, stale } = detail.data;
  const word = assetStatusWord(asset.status);
  const wipe = async () => {
    const r = await api.wipe(asset.key);
    setConfirmWipe(false);
    setNote(`Wiped ${r.wiped.toLocaleString()} partition record(s).`);
    setVersion((v) => v + 1);
  };
  return (
    <div className="page asset-page">
      <header className="page-header">
        <h1>{asset.key}</h1>
        <StatusBadge status={word} />
        <span className="spacer" />
        <button type="button" className="primary" onClick={() => setDialogKey(null)}>
          Materialize…
        </button>
        <button
          ref={wipeOpener}
          type="button"
          className="danger"
          onClick={() => setConfirmWipe(true)}
        >
          Wipe…
        </button>
      </header>
      {confirmWipe && (
        <div
          className="confirm"
          role="alertdialog"
          aria-label="Confirm wipe"
          onKeyDown={(e) => {
            if (e.key === 'Escape') closeWipe();
          }}
        >
          <p>
            Wipe every materialization record of <code>{asset.key}</code>? Its partitions become
            missing; the data itself is not deleted.
          </p>
          <button type="button" className="danger" onClick={() => void wipe()}>
            Wipe {asset.status.total.toLocaleString()} partition(s)
          </button>
          <button ref={wipeCancel} type="button" onClick={closeWipe}>
            Cancel
          </button>
        </div>
      )}
      {note && <p className="note">{note}</p>}
      {asset.description && <p className="description">{asset.description}</p>}
      <dl className="facts grid">
        <dt>Group</dt>
        <dd>{asset.group}</dd>
        <dt>Kinds</dt>
        <dd>{asset.kinds.join(', ') || '—'}</dd>
        <dt>Owners</dt>
        <dd>{asset.owners.join(', ') || '—'}</dd>
        <dt>Tags</dt>
        <dd>
          {Object.entries(asset.tags).map(([k, v]) => (
            <span key={k} className="chip">
              {k}={v}
            </span>
          ))}
          {Object.keys(asset.tags).length === 0 && '—'}
        </dd>
        <dt>Code version</dt>
        <dd>{asset.codeVersion ?? '—'}</dd>
        <dt>Upstream</dt>
        <dd>{upstream.length === 0 ? '—' : upstream.map((k) => <AssetChip key={k} k={k} />)}</dd>
        <dt>Downstream</dt>
        <dd>
          {downstream.length === 0 ? '—' : downstream.map((k) => <AssetChip key={k} k={k} />)}
        </dd>
        <dt>Runs</dt>
        <dd>
          <Link to={`/runs?asset=${encodeURIComponent(asset.key)}`}>runs of this asset</Link>
        </dd>
      </dl>
      {asset.partitions !== null && (
        <AssetPartitions asset={asset} version={version} onMaterialize={(k) => setDialogKey(k)} />
      )}
      {stale && stale.counts.stale > 0 && (
        <section>
          <h2>Stale partitions</h2>
          <p>
            {stale.counts.stale.toLocaleString()} stale, {stale.counts.fresh.toLocaleString()}{' '}
            fresh, {stale.counts.missing.toLocaleString()} missing. Pick one above to see its
            causes.
          </p>
        </section>
      )}
      <section aria-labelledby="checks-h">
        <h2 id="checks-h">Checks</h2>
        {checks.length === 0 ? (
          <p className="muted">No checks on this asset.</p>
        ) : (
          <table className="table" data-testid="asset-checks">
            <thead>
              <tr>
                <th>Check</th>
                <th>Latest</th>
                <th>Partition</th>
                <th>Blocking</th>
                <th>Description</th>
              </tr>
            </thead>
            <tbody>
              {checks.map((c) => (
                <tr key={c.checkId}>
                  <td>{c.name}</td>
                  <td>
                    <CheckWord passed={c.latest?.passed} severity={c.severity} />
                  </td>
                  <td>{c.latest?.partitionKey ?? '—'}</td>
                  <td>{c.blocking ? 'yes' : 'no'}</td>
                  <td>{c.latest?.description ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <CheckHistory results={asset.checkResults ?? []} />
      </section>
      <History mats={mats} />
      {dialogKey !== undefined && (
        <MaterializeDialog
          assets={[asset]}
          {...(dialogKey ? { initialKey: dialogKey } : {})}
          onClose={() => setDialogKey(undefined)}
        />
      )}
    </div>
  );
}

function AssetChip({ k }: { k: string }) {
  return (
    <Link className="chip" to={`/assets/${encodeURIComponent(k)}`}>
      {k}
    </Link>
  );
}

function CheckHistory({
  results,
}: {
  results: NonNullable<import('../api/api-types.js').AssetDetail['checkResults']>;
}) {
  if (results.length === 0) return null;
  return (
    <details>
      <summary>Check history ({results.length})</summary>
      <ul className="plain">
        {results.slice(0, 100).map((r, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: results are a static snapshot
          <li key={i}>
            <CheckWord passed={r.passed} severity={r.severity ?? 'error'} />{' '}
            {r.checkName ?? r.checkId} {r.partitionKey && <code>{r.partitionKey}</code>}{' '}
            <span className="muted">{r.description ?? ''}</span>
          </li>
        ))}
      </ul>
    </details>
  );
}

/** Materialization history with metadata, and a chart for each numeric metadata entry. */
function History({ mats }: { mats: MaterializationRecord[] }) {
  const series = new Map<string, { t: number; v: number }[]>();
  for (const m of mats) {
    for (const [k, raw] of Object.entries(m.metadata ?? {})) {
      const v = typeof raw === 'number' ? raw : (raw as { value?: unknown } | null)?.value;
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      const s = series.get(k) ?? [];
      series.set(k, s);
      s.push({ t: Date.parse(m.timestamp), v });
    }
  }
  return (
    <section aria-labelledby="history-h">
      <h2 id="history-h">Materializations</h2>
      {mats.length === 0 ? (
        <p className="muted">Never materialized. Use Materialize… above.</p>
      ) : (
        <>
          <div className="charts">
            {[...series].map(([k, pts]) => (
              <LineChart key={k} label={k} points={pts} />
            ))}
          </div>
          <table className="table" data-testid="materializations">
            <thead>
              <tr>
                <th>When</th>
                <th>Partition</th>
                <th>Run</th>
                <th>Metadata</th>
              </tr>
            </thead>
            <tbody>
              {mats.slice(0, 50).map((m) => (
                <tr key={`${m.eventId ?? m.timestamp}-${m.partitionKey ?? ''}`}>
                  <td>{new Date(m.timestamp).toLocaleString()}</td>
                  <td>{m.partitionKey ?? '—'}</td>
                  <td>
                    {m.runId ? <Link to={`/runs/${m.runId}`}>{m.runId.slice(0, 8)}</Link> : '—'}
                  </td>
                  <td className="meta">
                    {Object.entries(m.metadata ?? {})
                      .map(
                        ([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`,
                      )
                      .join('  ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
