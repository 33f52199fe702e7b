import type { Ref } from 'react';
import { Link } from 'react-router';
import type { AssetEdge, AssetNode } from '../api/api-types.js';
import { HealthStrip } from '../components/health-bar.js';
import { StatusBadge } from '../components/status-badge.js';
import { assetStatusWord } from '../lib/asset-status.js';

/**
 * The side panel of the graph page for the clicked asset. Focusable (`tabIndex=-1`) so the graph
 * can move the keyboard focus into it when it was opened with Enter.
 */
export function GraphSidePanel(props: {
  ref?: Ref<HTMLElement>;
  asset: AssetNode;
  edges: AssetEdge[];
  failing: string[];
  onClose: () => void;
  onMaterialize: () => void;
}) {
  const { asset, edges, failing } = props;
  const up = edges.filter((e) => e.to === asset.key).map((e) => e.from);
  const down = edges.filter((e) => e.from === asset.key).map((e) => e.to);
  const s = asset.status;
  return (
    <aside ref={props.ref} tabIndex={-1} className="side-panel" aria-label={`Asset ${asset.key}`}>
      <header>
        <h2>
          <Link to={`/assets/${encodeURIComponent(asset.key)}`}>{asset.key}</Link>
        </h2>
        <button type="button" onClick={props.onClose} aria-label="Close panel">
          ✕
        </button>
      </header>
      <p>
        <StatusBadge status={assetStatusWord(s)} />{' '}
        <span className="muted">group {asset.group}</span>
      </p>
      {asset.description && <p>{asset.description}</p>}
      <HealthStrip counts={s} width={260} />
      <dl className="facts">
        <dt>Partitions</dt>
        <dd>
          {asset.partitions === null
            ? 'not partitioned'
            : `${s.materialized.toLocaleString()} materialized, ${s.failed.toLocaleString()} failed, ${s.inProgress.toLocaleString()} running, ${s.missing.toLocaleString()} missing of ${s.total.toLocaleString()}`}
          {s.stale !== null && s.stale > 0 && `, ${s.stale.toLocaleString()} stale`}
        </dd>
        <dt>Kinds</dt>
        <dd>{asset.kinds.join(', ') || '—'}</dd>
        <dt>Owners</dt>
        <dd>{asset.owners.join(', ') || '—'}</dd>
        <dt>Checks</dt>
        <dd>
          {asset.checks.length === 0
            ? '—'
            : asset.checks.map((c) => (
                <span key={c} className={failing.includes(c) ? 'badge check-failed' : 'badge'}>
                  {c}
                </span>
              ))}
        </dd>
        <dt>Upstream</dt>
        <dd>{up.length === 0 ? '—' : up.map((k) => <AssetLink key={k} k={k} />)}</dd>
        <dt>Downstream</dt>
        <dd>{down.length === 0 ? '—' : down.map((k) => <AssetLink key={k} k={k} />)}</dd>
      </dl>
      <div className="actions">
        <button type="button" className="primary" onClick={props.onMaterialize}>
          Materialize…
        </button>
        <Link to={`/assets/${encodeURIComponent(asset.key)}`}>Open asset page →</Link>
      </div>
    </aside>
  );
}

function AssetLink({ k }: { k: string }) {
  return (
    <Link className="chip" to={`/assets/${encodeURIComponent(k)}`}>
      {k}
    </Link>
  );
}
