/**
 * In-process execution benchmarks: `materialize()` of 1,000 trivial assets, as a chain (no
 * parallelism possible) and as 10 layers of 100 (each asset reads two of the layer above), so
 * the figure is the engine's own per-asset overhead: planning, scheduling, context, IO manager,
 * data version, events.
 */
import { asset } from '../packages/core/src/asset.js';
import type { AnyAssetDefinition } from '../packages/core/src/asset-types.js';
import { definitions } from '../packages/core/src/definitions.js';
import { materialize } from '../packages/core/src/execution/materialize.js';
import { type BenchFigure, timeMs } from './harness.js';

const N = 1000;

function chain(): AnyAssetDefinition[] {
  const assets: AnyAssetDefinition[] = [];
  let prev: AnyAssetDefinition | undefined;
  for (let i = 0; i < N; i++) {
    const a: AnyAssetDefinition =
      prev === undefined
        ? asset({ key: `chain_${i}`, codeVersion: '1' }, () => 0)
        : asset(
            { key: `chain_${i}`, codeVersion: '1', deps: { up: prev } },
            ({ up }: { up: number }) => up + 1,
          );
    assets.push(a);
    prev = a;
  }
  return assets;
}

function layered(): AnyAssetDefinition[] {
  const width = 100;
  const assets: AnyAssetDefinition[] = [];
  let above: AnyAssetDefinition[] = [];
  for (let layer = 0; layer < N / width; layer++) {
    const row: AnyAssetDefinition[] = [];
    for (let j = 0; j < width; j++) {
      const key = `l${layer}/a_${j}`;
      row.push(
        layer === 0
          ? asset({ key }, () => j)
          : asset(
              { key, deps: { x: above[j]!, y: above[(j + 1) % width]! } },
              ({ x, y }: { x: number; y: number }) => x + y,
            ),
      );
    }
    assets.push(...row);
    above = row;
  }
  return assets;
}

/** Runs the materialize benchmarks and returns their figures. */
export async function run(): Promise<BenchFigure[]> {
  const chainDefs = definitions({ assets: chain() });
  const layeredDefs = definitions({ assets: layered() });
  let ok = true;
  const chainMs = await timeMs(async () => {
    const r = await materialize(chainDefs);
    ok &&= r.success && r.values.get(`chain_${N - 1}`) === N - 1;
  }, 5);
  const layeredMs = await timeMs(async () => {
    const r = await materialize(layeredDefs, { maxConcurrency: 8 });
    ok &&= r.success && r.materializations.length === N;
  }, 5);
  if (!ok) throw new Error('core-materialize: a benchmark run did not succeed');
  const note = 'Dagster: tens of ms per step';
  return [
    { name: 'materialize: 1,000-asset chain, total', value: chainMs, unit: 'ms' },
    {
      name: 'materialize: 1,000-asset chain, per asset',
      value: chainMs / N,
      unit: 'ms',
      target: 0.3,
      note,
    },
    { name: 'materialize: 1,000 assets in 10 layers, total', value: layeredMs, unit: 'ms' },
    {
      name: 'materialize: 1,000 assets in 10 layers, per asset',
      value: layeredMs / N,
      unit: 'ms',
      target: 0.3,
      note,
    },
  ];
}
