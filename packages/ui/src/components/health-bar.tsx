import { useEffect, useRef } from 'react';
import type { PartitionRange, PartitionStatus } from '../api/api-types.js';
import {
  countSegments,
  type HealthSegment,
  healthSegments,
  type SegmentStatus,
} from '../lib/health-buckets.js';

const FALLBACK: Record<PartitionStatus, string> = {
  materialized: '#2f9e44',
  failed: '#e03131',
  inProgress: '#1c7ed6',
  missing: '#adb5bd',
};

/** Paints segments on a canvas with the theme's status colours (CSS variables --c-<status>). */
function paint(
  canvas: HTMLCanvasElement,
  segments: HealthSegment[],
  width: number,
  height: number,
): void {
  const dpr = globalThis.devicePixelRatio || 1;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  const g = canvas.getContext('2d');
  if (g === null) return;
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  const css = getComputedStyle(canvas);
  const colour = (s: PartitionStatus) => css.getPropertyValue(`--c-${s}`).trim() || FALLBACK[s];
  g.clearRect(0, 0, width, height);
  for (const s of segments) {
    // Two pixels at least for anything but missing, so one materialized or failed partition among
    // thousands stays visible on the bar.
    const w = Math.max(s.status === 'missing' ? 1 : 2, s.to - s.from);
    if (s.status === 'partial') {
      // Mixed columns: the upper half materialized, the lower half missing.
      g.fillStyle = colour('materialized');
      g.fillRect(s.from, 0, w, height / 2);
      g.fillStyle = colour('missing');
      g.fillRect(s.from, height / 2, w, height / 2);
    } else {
      g.fillStyle = colour(s.status as Exclude<SegmentStatus, 'partial'>);
      g.fillRect(s.from, 0, w, height);
    }
  }
}

/**
 * The partition health bar of an asset page: one canvas, one rectangle per run of pixel columns
 * with the same worst status, so its cost depends on the bar's width and the number of ranges,
 * never on the number of partitions. `onRender` reports the paint time (the bench reads it).
 */
export function HealthBar(props: {
  ranges: readonly PartitionRange[];
  total: number;
  height?: number;
  label: string;
  onPick?: (index: number) => void;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  const { ranges, total, height = 28, label, onPick } = props;
  useEffect(() => {
    const canvas = ref.current;
    if (canvas === null) return;
    const draw = () => {
      const t0 = performance.now();
      const width = Math.max(1, Math.floor(canvas.clientWidth));
      paint(canvas, healthSegments(ranges, total, width), width, height);
      canvas.dataset.renderMs = (performance.now() - t0).toFixed(2);
      canvas.dataset.rendered = String(total);
    };
    draw();
    const ro = new ResizeObserver(draw);
    ro.observe(canvas);
    return () => ro.disconnect();
  }, [ranges, total, height]);
  return (
    <canvas
      ref={ref}
      className="health-bar"
      style={{ height }}
      role="img"
      aria-label={label}
      onClick={(e) => {
        if (!onPick || total === 0) return;
        const rect = e.currentTarget.getBoundingClientRect();
        onPick(Math.min(total - 1, Math.floor(((e.clientX - rect.left) / rect.width) * total)));
      }}
    />
  );
}

/** The small strip on a graph node, drawn from the asset's counts (proportional, 4 rects at most). */
export function HealthStrip(props: {
  counts: { materialized: number; failed: number; inProgress: number; missing: number };
  width: number;
}) {
  const segments = countSegments(props.counts, props.width);
  return (
    <svg className="health-strip" width={props.width} height={6} aria-hidden="true">
      <rect x={0} y={0} width={props.width} height={6} className="seg-missing" />
      {segments.map((s) => (
        <rect
          key={s.status}
          x={s.from}
          y={0}
          width={s.to - s.from}
          height={6}
          className={`seg-${s.status}`}
        />
      ))}
    </svg>
  );
}
