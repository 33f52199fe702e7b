import { useState } from 'react';
import { api } from '../api/api-client.js';
import type {
  AssetNode,
  PartitionRange,
  PartitionStatus,
  PartitionsResponse,
} from '../api/api-types.js';
import { HealthBar } from '../components/health-bar.js';
import { ErrorState, Loading } from '../components/states.js';
import { StatusBadge } from '../components/status-badge.js';
import { useApi } from '../lib/use-api.js';
import { PartitionDetail } from './partition-detail.js';

// The health bar reads every range, 1000 per request; 200 pages (200,000 ranges) is the most a bar
// can show meaningfully at any width, so it stops there.
const MAX_PAGES = 200;
const PAGE = 50;

/** Reads all status ranges of an asset for its health bar. */
export async function allRanges(key: string): Promise<PartitionsResponse> {
  const first = await api.partitions(key, { limit: 1000 });
  const ranges = [...first.ranges];
  let next = first.nextOffset;
  for (let i = 1; next !== null && i < MAX_PAGES; i++) {
    const page = await api.partitions(key, { offset: next, limit: 1000 });
    ranges.push(...page.ranges);
    next = page.nextOffset;
  }
  return { ...first, ranges, nextOffset: next };
}

const STATUS_WORD: Record<PartitionStatus, string> = {
  materialized: 'materialized',
  failed: 'failed',
  inProgress: 'running',
  missing: 'missing',
};

/** The partitions section of an asset page: health bar, filterable paged list, key lookup. */
export function AssetPartitions(props: {
  asset: AssetNode;
  version: number;
  onMaterialize: (key: string) => void;
}) {
  const { asset, version } = props;
  const all = useApi(() => allRanges(asset.key), [asset.key, version]);
  const [status, setStatus] = useState<PartitionStatus | ''>('');
  const [offsets, setOffsets] = useState<number[]>([0]);
  const offset = offsets[offsets.length - 1]!;
  const page = useApi(
    () => api.partitions(asset.key, { offset, limit: PAGE, ...(status === '' ? {} : { status }) }),
    [asset.key, status, offset, version],
  );
  const [lookup, setLookup] = useState('');
  const [picked, setPicked] = useState<string | null>(null);

  if (all.error) return <ErrorState error={all.error} retry={all.reload} />;
  const data = all.data;
  const pickIndex = async (i: number) => {
    const r = await api.partitions(asset.key, { offset: i, limit: 1 });
    const k = r.ranges[0]?.startKey;
    if (k) {
      setLookup(k);
      setPicked(k);
    }
  };
  return (
    <section aria-labelledby="partitions-h">
      <h2 id="partitions-h">Partitions</h2>
      {!data ? (
        <Loading what="partition status" />
      ) : (
        <>
          <p className="legend">
            {(Object.keys(STATUS_WORD) as PartitionStatus[]).map((s) => (
              <span key={s}>
                <i className={`swatch seg-${s}`} /> {STATUS_WORD[s]}{' '}
                {data.counts[s].toLocaleString()}
              </span>
            ))}
            <span className="muted">of {data.total.toLocaleString()}</span>
          </p>
          <HealthBar
            ranges={data.ranges}
            total={data.total}
            label={`Partition health of ${asset.key}: ${data.counts.materialized} materialized, ${data.counts.failed} failed, ${data.counts.missing} missing`}
            onPick={(i) => void pickIndex(i)}
          />
          <p className="muted small">
            {data.ranges[0]?.startKey} … {data.ranges[data.ranges.length - 1]?.endKey} · click the
            bar to look a partition up
          </p>
        </>
      )}
      <div className="toolbar">
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            setPicked(lookup.trim() === '' ? null : lookup.trim());
          }}
        >
          <input
            type="search"
            aria-label="Partition key"
            placeholder="Find a partition key, e.g. 2024-01-02"
            value={lookup}
            onChange={(e) => setLookup(e.target.value)}
          />
          <button type="submit">Find</button>
        </form>
        <label>
          Status{' '}
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as PartitionStatus | '');
              setOffsets([0]);
            }}
          >
            <option value="">any</option>
            {(Object.keys(STATUS_WORD) as PartitionStatus[]).map((s) => (
              <option key={s} value={s}>
                {STATUS_WORD[s]}
              </option>
            ))}
          </select>
        </label>
      </div>
      {picked && (
        <PartitionDetail
          asset={asset}
          partitionKey={picked}
          version={version}
          onMaterialize={props.onMaterialize}
        />
      )}
      {page.error ? (
        <ErrorState error={page.error} retry={page.reload} />
      ) : !page.data ? (
        <Loading what="partitions" />
      ) : (
        <RangeTable
          ranges={page.data.ranges}
          onPick={(k) => {
            setLookup(k);
            setPicked(k);
          }}
        />
      )}
      <div className="pager">
        <button
          type="button"
          disabled={offsets.length === 1}
          onClick={() => setOffsets((o) => o.slice(0, -1))}
        >
          ← Previous
        </button>
        <button
          type="button"
          disabled={!page.data || page.data.nextOffset === null}
          onClick={() =>
            page.data?.nextOffset != null && setOffsets((o) => [...o, page.data!.nextOffset!])
          }
        >
          Next →
        </button>
      </div>
    </section>
  );
}

function RangeTable({
  ranges,
  onPick,
}: {
  ranges: PartitionRange[];
  onPick: (key: string) => void;
}) {
  if (ranges.length === 0) return <p className="muted">No partitions with this status.</p>;
  return (
    <table className="table">
      <thead>
        <tr>
          <th>Partitions</th>
          <th>Count</th>
          <th>Status</th>
        </tr>
      </thead>
      <tbody>
        {ranges.map((r) => (
          <tr key={`${r.startIndex}-${r.status}`}>
            <td>
              {r.startKey && (
                <button type="button" className="link" onClick={() => onPick(r.startKey!)}>
                  {r.startKey}
                </button>
              )}
              {r.endIndex - r.startIndex > 1 && r.endKey && (
                <>
                  {' … '}
                  <button type="button" className="link" onClick={() => onPick(r.endKey!)}>
                    {r.endKey}
                  </button>
                </>
              )}
            </td>
            <td>{(r.endIndex - r.startIndex).toLocaleString()}</td>
            <td>
              <StatusBadge status={r.status === 'inProgress' ? 'running' : r.status} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
