/** A small SVG line chart of one numeric metadata series over time (no chart library needed). */
export function LineChart({
  points,
  label,
}: {
  points: { t: number; v: number }[];
  label: string;
}) {
  const w = 320;
  const h = 90;
  const pad = 4;
  if (points.length === 0) return null;
  const sorted = [...points].sort((a, b) => a.t - b.t);
  const t0 = sorted[0]!.t;
  const t1 = sorted[sorted.length - 1]!.t;
  const vs = sorted.map((p) => p.v);
  const v0 = Math.min(...vs);
  const v1 = Math.max(...vs);
  const x = (t: number) =>
    pad + (t1 === t0 ? (w - 2 * pad) / 2 : ((t - t0) / (t1 - t0)) * (w - 2 * pad));
  const y = (v: number) =>
    h - pad - (v1 === v0 ? (h - 2 * pad) / 2 : ((v - v0) / (v1 - v0)) * (h - 2 * pad));
  const d = sorted
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`)
    .join(' ');
  return (
    <figure className="chart">
      <figcaption>
        {label}{' '}
        <span className="muted">
          ({v0.toLocaleString()} … {v1.toLocaleString()}, {points.length} points)
        </span>
      </figcaption>
      <svg width={w} height={h} role="img" aria-label={`${label} over time`}>
        <path d={d} fill="none" stroke="currentColor" strokeWidth={1.5} />
        {sorted.map((p) => (
          <circle key={`${p.t}-${p.v}`} cx={x(p.t)} cy={y(p.v)} r={2} />
        ))}
      </svg>
    </figure>
  );
}
