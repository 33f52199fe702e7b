/** An upstream partition as the API sends it (`partitionKey` absent for an unpartitioned asset). */
function refText(ref: unknown): string {
  const r = (ref ?? {}) as { assetKey?: unknown; partitionKey?: unknown };
  const key = typeof r.assetKey === 'string' ? r.assetKey : '?';
  return typeof r.partitionKey === 'string' ? `${key} ${r.partitionKey}` : key;
}

const short = (v: unknown) => (typeof v === 'string' ? v.slice(0, 8) : 'none');

/**
 * A staleness cause (core's `StaleCause`: code, data, dependencies, upstream) as one sentence that
 * names the upstream partition involved; unknown shapes fall back to their JSON.
 */
export function describeCause(c: unknown): string {
  if (typeof c === 'string') return c;
  if (c === null || typeof c !== 'object') return String(c);
  const o = c as Record<string, unknown>;
  switch (o.type) {
    case 'code':
      return `code: its code version changed from ${String(o.from ?? 'none')} to ${String(o.to ?? 'none')}`;
    case 'data':
      return o.recorded === undefined
        ? `data: it now reads ${refText(o.upstream)}, which it did not read when materialized`
        : o.current === undefined
          ? `data: ${refText(o.upstream)} no longer has a data version (wiped)`
          : `data: ${refText(o.upstream)} has new data (data version ${short(o.recorded)} → ${short(o.current)})`;
    case 'upstream':
      return `upstream: ${refText(o.upstream)} is stale`;
    case 'dependencies': {
      const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
      const parts = [
        ...list(o.added).map((k) => `${k} added`),
        ...list(o.removed).map((k) => `${k} removed`),
        ...(Array.isArray(o.removedPartitions) ? o.removedPartitions : []).map(
          (r) => `${refText(r)} no longer read`,
        ),
      ];
      return `dependencies: ${parts.join(', ') || 'changed'}`;
    }
    default:
      return JSON.stringify(c);
  }
}
