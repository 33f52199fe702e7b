import type { AssetNode } from '../api/api-types.js';

/**
 * Names of failing checks per asset (only assets with any), from the nodes' `failingChecks`,
 * which GET /api/graph and GET /api/assets compute in one query for all assets. Async so callers
 * need not change if this ever has to ask the API again.
 */
export async function failingChecks(nodes: readonly AssetNode[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const n of nodes) if (n.failingChecks.length > 0) out.set(n.key, n.failingChecks);
  return out;
}
