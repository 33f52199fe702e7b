import { api } from '../api/api-client.js';
import type { AssetNode } from '../api/api-types.js';

// Above this many assets with checks the graph does not ask per asset (one request each); the
// Checks page still lists every failing check.
const MAX_ASSETS_ASKED = 300;

/**
 * Names of failing checks per asset: from the node's `failingChecks` when the API sends it, else
 * from GET /api/assets/:key/checks for assets that have checks, 6 requests at a time.
 */
export async function failingChecks(nodes: readonly AssetNode[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const ask: AssetNode[] = [];
  for (const n of nodes) {
    if (n.failingChecks !== undefined) out.set(n.key, n.failingChecks);
    else if (n.checks.length > 0) ask.push(n);
  }
  if (ask.length > MAX_ASSETS_ASKED) return out;
  let next = 0;
  const worker = async () => {
    while (next < ask.length) {
      const n = ask[next++]!;
      try {
        const { checks } = await api.checks(n.key);
        const failing = checks
          .filter((c) => c.latest !== null && c.latest.passed === false)
          .map((c) => c.name);
        if (failing.length > 0) out.set(n.key, failing);
      } catch {
        // One asset's checks failing to load leaves its badge off, not the graph.
      }
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  return out;
}
