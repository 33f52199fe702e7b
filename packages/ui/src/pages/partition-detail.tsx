import { Link } from 'react-router';
import { api } from '../api/api-client.js';
import type { AssetNode } from '../api/api-types.js';
import { ErrorState, Loading } from '../components/states.js';
import { StatusBadge } from '../components/status-badge.js';
import { describeCause } from '../lib/stale-cause-text.js';
import { useApi } from '../lib/use-api.js';

/** One partition of an asset: staleness with causes, checks, latest materializations. */
export function PartitionDetail(props: {
  asset: AssetNode;
  partitionKey: string;
  version: number;
  onMaterialize: (key: string) => void;
}) {
  const { asset, partitionKey: pk, version } = props;
  const detail = useApi(async () => {
    const [mats, checks, stale] = await Promise.all([
      api.materializations(asset.key, { partition: pk, limit: 5 }),
      api.checks(asset.key, { partition: pk }),
      api.staleness(asset.key, { partition: pk }).catch(() => null),
    ]);
    return {
      mats: mats.materializations,
      checks: checks.checks,
      stale: stale?.partitions[0] ?? null,
    };
  }, [asset.key, pk, version]);
  if (detail.error) return <ErrorState error={detail.error} />;
  if (!detail.data) return <Loading what={`partition ${pk}`} />;
  const { mats, checks, stale } = detail.data;
  return (
    <div className="card" data-testid="partition-detail">
      <header className="row">
        <h3>
          Partition <code>{pk}</code>
        </h3>
        {stale && <StatusBadge status={stale.status} />}
        <button type="button" className="primary" onClick={() => props.onMaterialize(pk)}>
          Materialize {pk}
        </button>
      </header>
      {stale && stale.status === 'stale' && (
        <div data-testid="stale-causes">
          <h4>Why it is stale</h4>
          {stale.explanation ? <pre className="explain">{stale.explanation}</pre> : null}
          <ul>
            {stale.causes.map((c, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: causes have no id and never reorder
              <li key={i}>{describeCause(c)}</li>
            ))}
          </ul>
        </div>
      )}
      <p>
        {mats.length === 0
          ? 'Never materialized.'
          : `Last materialized ${new Date(mats[0]!.timestamp).toLocaleString()}`}
        {mats[0]?.runId && (
          <>
            {' '}
            by run <Link to={`/runs/${mats[0].runId}`}>{mats[0].runId.slice(0, 8)}</Link>
          </>
        )}
      </p>
      {checks.length > 0 && (
        <ul className="plain">
          {checks.map((c) => (
            <li key={c.checkId}>
              <CheckWord passed={c.latest?.passed} severity={c.severity} /> {c.name}
              {c.latest?.description && <span className="muted"> — {c.latest.description}</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A check result in words and colour. */
export function CheckWord({ passed, severity }: { passed: boolean | undefined; severity: string }) {
  if (passed === undefined) return <span className="badge">not run</span>;
  return passed ? (
    <span className="badge check-passed">passed</span>
  ) : (
    <span className={`badge check-failed`}>failed ({severity})</span>
  );
}
