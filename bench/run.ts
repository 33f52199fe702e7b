/**
 * `npm run bench`: runs every benchmark part in one process and prints each figure beside its
 * target, with the ratio (measured / target for "max" targets, target / measured for "min"), so a
 * ratio <= 1 means the target is met. `npm run bench -- core-partitions` runs only matching parts.
 */
import type { BenchFigure } from './harness.js';

const PARTS = [
  'core-definitions',
  'core-materialize',
  'core-partitions',
  'core-mappings',
  'core-staleness',
  'core-automation',
  'daemon-storage',
  'daemon-storage-postgres',
  'daemon-workers',
  'daemon-fleet',
  'daemon-runs',
  'daemon-automation',
  'api',
  'ui',
];

function fmt(n: number): string {
  if (n === 0) return '0';
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 1) return n.toFixed(2);
  return n.toPrecision(3);
}

async function main(): Promise<void> {
  const filter = process.argv.slice(2);
  const parts = PARTS.filter((p) => filter.length === 0 || filter.some((f) => p.includes(f)));
  const rows: string[][] = [];
  let missed = 0;
  for (const part of parts) {
    const mod = (await import(`./${part}.js`)) as { run(): Promise<BenchFigure[]> };
    const figures = await mod.run();
    for (const f of figures) {
      let ratio = '';
      let verdict = '';
      if (f.target !== undefined) {
        const r = (f.targetKind ?? 'max') === 'max' ? f.value / f.target : f.target / f.value;
        ratio = r.toFixed(3);
        verdict = r <= 1 ? 'ok' : 'MISSED';
        if (r > 1) missed++;
      }
      rows.push([
        part,
        f.name,
        `${fmt(f.value)} ${f.unit}`,
        f.target === undefined
          ? ''
          : `${(f.targetKind ?? 'max') === 'max' ? '<' : '>'} ${fmt(f.target)} ${f.unit}`,
        ratio,
        verdict,
        f.note ?? '',
      ]);
    }
  }
  const header = ['part', 'figure', 'measured', 'target', 'ratio', '', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  console.log(`node ${process.version}, ${process.platform}/${process.arch}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  console.log(missed === 0 ? '\nall targets met' : `\n${missed} target(s) missed`);
}

await main();
