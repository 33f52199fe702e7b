/**
 * definitions() benchmarks: 10,000 assets in 200 layers of 50, each reading two assets of the
 * previous layer, built and validated (keys, deps, topological order, cycle check, mapping
 * inference per edge), then `+<sink>` selected on the result.
 */
import { asset } from '../packages/core/src/asset.js';
import type { AnyAssetDefinition } from '../packages/core/src/asset-types.js';
import { definitions } from '../packages/core/src/definitions.js';
import { selectAssets } from '../packages/core/src/selection/index.js';
import { type BenchFigure, timeMs } from './harness.js';

const LAYERS = 200;
const WIDTH = 50;

/** The layered 10,000-asset graph, declared in reverse so ordering work is not free. */
function layeredAssets(): AnyAssetDefinition[] {
  const assets: AnyAssetDefinition[] = [];
  for (let layer = 0; layer < LAYERS; layer++) {
    for (let i = 0; i < WIDTH; i++) {
      const deps = layer === 0 ? [] : [`l${layer - 1}/a${i}`, `l${layer - 1}/a${(i + 1) % WIDTH}`];
      assets.push(asset({ key: `l${layer}/a${i}`, deps }, () => i));
    }
  }
  return assets.reverse();
}

/** Runs the definitions benchmarks and returns their figures. */
export async function run(): Promise<BenchFigure[]> {
  let assets: AnyAssetDefinition[] = [];
  const declare = await timeMs(() => {
    assets = layeredAssets();
  }, 5);
  let defs = definitions({ assets });
  const build = await timeMs(() => {
    defs = definitions({ assets });
  }, 7);
  if (defs.assets.size !== LAYERS * WIDTH) throw new Error('bench graph has the wrong size');

  const sink = `l${LAYERS - 1}/a0`;
  let selected = 0;
  const select = await timeMs(() => {
    selected = selectAssets(defs.graph, `+${sink}`).length;
  }, 7);
  const snapshot = await timeMs(() => JSON.stringify(defs.graph.snapshot()), 5);

  return [
    {
      name: 'definitions: 10,000 assets (20,000 edges) built and validated',
      value: build,
      unit: 'ms',
      target: 1000,
      note: `declaring the 10,000 asset() handles beforehand: ${declare.toFixed(1)} ms`,
    },
    {
      name: `selectAssets("+${sink}") on 10,000 assets (${selected} selected)`,
      value: select,
      unit: 'ms',
    },
    { name: 'graph snapshot of 10,000 assets, as JSON', value: snapshot, unit: 'ms' },
  ];
}
