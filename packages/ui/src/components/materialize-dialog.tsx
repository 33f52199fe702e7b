import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { ApiError, api } from '../api/api-client.js';
import type { AssetNode } from '../api/api-types.js';
import {
  findPartitionIndex,
  type MaterializeChoice,
  materializePlan,
} from '../lib/materialize-plan.js';

type Mode = MaterializeChoice['mode'];

/**
 * The Materialize dialog: one partition key, a range, or all missing / failed / stale partitions
 * of the selected assets. It shows how many runs the request creates before launching, then goes
 * to the run (one run) or the backfill (many).
 */
export function MaterializeDialog(props: {
  assets: AssetNode[];
  initialKey?: string;
  onClose: () => void;
}) {
  const { assets, onClose } = props;
  const navigate = useNavigate();
  const ref = useRef<HTMLDialogElement>(null);
  const partitioned = assets.some((a) => a.partitions !== null);
  const single = assets.length === 1 ? assets[0] : undefined;
  const [mode, setMode] = useState<Mode>(
    partitioned ? (props.initialKey ? 'key' : 'missing') : 'whole',
  );
  const [key, setKey] = useState(props.initialKey ?? '');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [rangeCount, setRangeCount] = useState<number | null>(null);
  const [staleKeys, setStaleKeys] = useState<string[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    ref.current?.showModal();
  }, []);

  // A range's size: binary search for the index of each end (keys of time partitions sort in order).
  useEffect(() => {
    setRangeCount(null);
    if (mode !== 'range' || single === undefined || from === '' || to === '') return;
    let live = true;
    const timer = setTimeout(async () => {
      try {
        const keyAt = async (i: number) =>
          (await api.partitions(single.key, { offset: i, limit: 1 })).ranges[0]?.startKey ?? null;
        const total = single.status.total;
        const [a, b] = await Promise.all([
          findPartitionIndex(from, total, keyAt),
          findPartitionIndex(to, total, keyAt),
        ]);
        if (!live) return;
        if (a < 0 || b < 0) setError(`${a < 0 ? from : to} is not a partition of ${single.key}.`);
        else {
          setError(null);
          setRangeCount(Math.max(0, b - a + 1));
        }
      } catch (err) {
        if (live) setError((err as Error).message);
      }
    }, 300);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [mode, from, to, single]);

  useEffect(() => {
    if (mode !== 'stale' || staleKeys !== null || single === undefined) return;
    api.staleness(single.key, { status: 'stale', limit: 1000 }).then(
      (r) =>
        setStaleKeys(
          r.partitions.map((p) => p.partitionKey).filter((k): k is string => k !== null),
        ),
      (err: unknown) => setError(err instanceof ApiError ? err.message : String(err)),
    );
  }, [mode, staleKeys, single]);

  const sum = (f: (a: AssetNode) => number) => assets.reduce((s, a) => s + f(a), 0);
  const choice: MaterializeChoice =
    mode === 'whole'
      ? { mode }
      : mode === 'key'
        ? { mode, key: key.trim() }
        : mode === 'range'
          ? { mode, from: from.trim(), to: to.trim(), count: rangeCount }
          : mode === 'missing'
            ? { mode, count: sum((a) => a.status.missing) }
            : mode === 'failed'
              ? { mode, count: sum((a) => a.status.failed) }
              : { mode, keys: staleKeys ?? [] };
  const plan = materializePlan(
    assets.map((a) => a.key),
    choice,
  );

  const launch = async () => {
    setBusy(true);
    setError(null);
    try {
      const res: { runId?: string; backfillId?: string } =
        plan.target === 'runs'
          ? await api.launch(plan.body as Parameters<typeof api.launch>[0])
          : await api.launchBackfill(plan.body as Parameters<typeof api.launchBackfill>[0]);
      onClose();
      if (res.runId) navigate(`/runs/${res.runId}`);
      else if (res.backfillId) navigate(`/backfills/${res.backfillId}`);
    } catch (err) {
      setError(err instanceof ApiError ? `${err.message} (${err.code})` : String(err));
    } finally {
      setBusy(false);
    }
  };

  const modes: [Mode, string][] = partitioned
    ? [
        ['key', 'One partition'],
        ...(single ? ([['range', 'A range']] as [Mode, string][]) : []),
        ['missing', 'All missing'],
        ['failed', 'All failed'],
        ...(single ? ([['stale', 'All stale']] as [Mode, string][]) : []),
      ]
    : [['whole', 'Materialize']];

  return (
    <dialog ref={ref} className="dialog" onClose={onClose} aria-labelledby="mat-title">
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          if (!plan.blocked && !busy) void launch();
        }}
      >
        <h2 id="mat-title">
          Materialize {single ? <code>{single.key}</code> : `${assets.length} assets`}
        </h2>
        {modes.length > 1 && (
          <fieldset className="modes">
            {modes.map(([m, label]) => (
              <label key={m}>
                <input
                  type="radio"
                  name="mode"
                  value={m}
                  checked={mode === m}
                  onChange={() => setMode(m)}
                />{' '}
                {label}
              </label>
            ))}
          </fieldset>
        )}
        {mode === 'key' && (
          <label className="field">
            Partition key
            <input
              name="partition"
              value={key}
              onChange={(e) => setKey(e.target.value)}
              placeholder="2024-01-02"
            />
          </label>
        )}
        {mode === 'range' && (
          <div className="row">
            <label className="field">
              From
              <input name="from" value={from} onChange={(e) => setFrom(e.target.value)} />
            </label>
            <label className="field">
              To
              <input name="to" value={to} onChange={(e) => setTo(e.target.value)} />
            </label>
          </div>
        )}
        <p className="plan" data-testid="run-count">
          {plan.blocked ??
            (plan.runs === null
              ? 'Counting partitions…'
              : `This creates ${plan.runs.toLocaleString()} run${plan.runs === 1 ? '' : 's'}${plan.target === 'backfills' || (plan.runs ?? 0) > 1 ? ' as a backfill' : ''}.`)}
        </p>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            className="primary"
            disabled={busy || plan.blocked !== undefined || plan.runs === null}
          >
            {busy ? 'Launching…' : 'Launch'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
