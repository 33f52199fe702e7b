import type { StatusSummary } from '../api/api-types.js';

/** The one-word status of an asset shown on the graph and the asset page. */
export type AssetStatusWord = 'running' | 'failed' | 'missing' | 'stale' | 'fresh';

/**
 * Folds an asset's partition counts into one word, worst first: something running wins (it is
 * about to change), then any failed partition, then any missing one, then any stale one, else fresh.
 */
export function assetStatusWord(s: StatusSummary): AssetStatusWord {
  if (s.inProgress > 0) return 'running';
  if (s.failed > 0) return 'failed';
  if (s.missing > 0 || s.materialized === 0) return 'missing';
  if ((s.stale ?? 0) > 0) return 'stale';
  return 'fresh';
}

/** What each status word means, for tooltips and docs/ui.md. */
export const STATUS_MEANING: Record<AssetStatusWord, string> = {
  fresh: 'every partition is materialized and up to date with its code and inputs',
  stale: 'materialized, but code, data or dependencies changed since',
  missing: 'some partitions have never been materialized (or were wiped)',
  failed: 'the latest attempt of some partition failed',
  running: 'a run is materializing some partitions right now',
};

/** Formats a count compactly (1234 → "1.2k", 1000000 → "1M"). */
export function compact(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${trim(n / 1000)}k`;
  return `${trim(n / 1_000_000)}M`;
}

function trim(x: number): string {
  return x >= 100 ? x.toFixed(0) : x.toFixed(1).replace(/\.0$/, '');
}
