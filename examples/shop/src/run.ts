/**
 * Materializes the whole shop pipeline in-process for one day (default 2024-01-02, or the first
 * argument) and prints what it materialized and what the checks said. Exits 1 when the run fails.
 */
import { materialize } from '@cairn/core';
import defs from './defs.js';

const day = process.argv[2] ?? '2024-01-02';
const result = await materialize(defs, { selection: '*', partitionKey: day });

console.log(`Materialized ${result.materializations.length} asset partitions for ${day}:`);
// Many partitions of one asset (24 hours of page views) are folded into one line.
const byAsset = new Map<string, typeof result.materializations>();
for (const m of result.materializations) {
  byAsset.set(m.assetKey, [...(byAsset.get(m.assetKey) ?? []), m]);
}
for (const [key, list] of byAsset) {
  if (list.length > 4) {
    const first = list[0]!.partitionKey;
    const last = list[list.length - 1]!.partitionKey;
    console.log(`  ${key.padEnd(28)} ${list.length} partitions, ${first} … ${last}`);
    continue;
  }
  for (const m of list) {
    const meta = Object.entries(m.metadata)
      .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
      .join(' ');
    console.log(`  ${key.padEnd(28)} ${(m.partitionKey ?? '').padEnd(18)} ${meta}`);
  }
}
console.log('Checks:');
for (const c of result.checkResults) {
  const verdict = c.passed ? 'passed' : `FAILED (${c.severity})`;
  console.log(`  ${c.checkId.padEnd(46)} ${(c.partitionKey ?? '').padEnd(18)} ${verdict}`);
}
const revenue = result.values.get('shop/daily_revenue', day) as { total: number } | undefined;
const perView = result.values.get('finance/revenue_per_view', day);
console.log(`Revenue on ${day}: ${revenue?.total}; revenue per page view: ${perView}`);
console.log(result.success ? 'Run succeeded.' : 'Run failed.');
process.exitCode = result.success ? 0 : 1;
