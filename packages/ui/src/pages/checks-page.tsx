import { Link } from 'react-router';
import { api } from '../api/api-client.js';
import type { AssetCheckState } from '../api/api-types.js';
import { Empty, ErrorState, Loading } from '../components/states.js';
import { useApi, useLiveEvents } from '../lib/use-api.js';

/** Every failing check at a glance: asks each asset with checks for its latest results. */
export function ChecksPage() {
  const checks = useApi(async () => {
    const { nodes } = await api.graph();
    const withChecks = nodes.filter((n) => n.checks.length > 0);
    const rows: { assetKey: string; check: AssetCheckState }[] = [];
    let next = 0;
    const worker = async () => {
      while (next < withChecks.length) {
        const n = withChecks[next++]!;
        const { checks } = await api.checks(n.key);
        for (const c of checks) rows.push({ assetKey: n.key, check: c });
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    rows.sort(
      (a, b) => a.assetKey.localeCompare(b.assetKey) || a.check.name.localeCompare(b.check.name),
    );
    return rows;
  }, []);
  useLiveEvents((r) => r.event.type === 'check_evaluation', checks.reload, 1000);
  if (checks.error && !checks.data)
    return <ErrorState error={checks.error} retry={checks.reload} />;
  if (!checks.data) return <Loading what="checks" />;
  const failing = checks.data.filter((r) => r.check.latest?.passed === false);
  const passing = checks.data.length - failing.length;
  return (
    <div className="page">
      <h1>Checks</h1>
      <p>
        {failing.length} failing · {passing} passing or not run · {checks.data.length} checks in all
      </p>
      {failing.length === 0 ? (
        <Empty>No failing checks.</Empty>
      ) : (
        <table className="table" data-testid="failing-checks">
          <thead>
            <tr>
              <th>Asset</th>
              <th>Check</th>
              <th>Severity</th>
              <th>Partition</th>
              <th>Why</th>
              <th>When</th>
            </tr>
          </thead>
          <tbody>
            {failing.map(({ assetKey, check }) => (
              <tr key={check.checkId}>
                <td>
                  <Link to={`/assets/${encodeURIComponent(assetKey)}`}>{assetKey}</Link>
                </td>
                <td>
                  <span className="badge check-failed">failed</span> {check.name}
                  {check.blocking && <span className="muted"> (blocking)</span>}
                </td>
                <td>{check.severity}</td>
                <td>{check.latest?.partitionKey ?? '—'}</td>
                <td>{check.latest?.description ?? ''}</td>
                <td>
                  {check.latest?.timestamp ? new Date(check.latest.timestamp).toLocaleString() : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
