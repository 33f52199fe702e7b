/**
 * Staleness: explaining why one daily partition is stale, on a warehouse-shaped graph (hourly
 * external sources → hourly staging → daily facts reading 24 hours each → daily marts), after a
 * code change in one staging asset and a new observation of one source hour.
 */
import {
  type AnyAssetDefinition,
  asset,
  type Definitions,
  dailyPartitions,
  definitions,
  explainStaleness,
  externalAsset,
  hourlyPartitions,
  identityMapping,
  type MemoryStalenessReader,
  materializationInput,
  memoryStalenessReader,
  timeWindowMapping,
} from '@cairn/core';
import { type BenchFigure, median } from './harness.js';

const now = new Date('2024-02-01T00:00:00Z');
const hourly = hourlyPartitions({ start: '2024-01-01-00:00' });
const daily = dailyPartitions({ start: '2024-01-01' });

function build(stagingVersion: string): Definitions {
  const assets: AnyAssetDefinition[] = [];
  const staging: AnyAssetDefinition[] = [];
  for (let s = 0; s < 5; s++) {
    const source = externalAsset({ key: `src/s${s}`, partitions: hourly });
    assets.push(source);
    for (let t = 0; t < 4; t++) {
      const stg = asset(
        {
          key: `stg/s${s}_t${t}`,
          partitions: hourly,
          codeVersion: s === 0 ? stagingVersion : '1',
          deps: { source: { asset: source, mapping: identityMapping() } },
        },
        () => 0,
      );
      staging.push(stg);
      assets.push(stg);
    }
  }
  const facts: AnyAssetDefinition[] = [];
  for (let f = 0; f < 10; f++) {
    const reads = [staging[(2 * f) % 20]!, staging[(2 * f + 1) % 20]!];
    const fact = asset(
      {
        key: `fct/f${f}`,
        partitions: daily,
        codeVersion: '1',
        deps: reads.map((r) => ({ asset: r, mapping: timeWindowMapping() })),
      },
      () => 0,
    );
    facts.push(fact);
    assets.push(fact);
  }
  for (let m = 0; m < 5; m++) {
    const deps = [facts[2 * m]!, facts[2 * m + 1]!, facts[(2 * m + 2) % 10]!];
    assets.push(asset({ key: `mart/m${m}`, partitions: daily, codeVersion: '1', deps }, () => 0));
  }
  return definitions({ assets });
}

function record(defs: Definitions, reader: MemoryStalenessReader, key: string, pk: string): void {
  reader.recordMaterialization(materializationInput(defs, key, pk, reader, { now }));
}

/** Runs the staleness benchmark. */
export async function run(): Promise<BenchFigure[]> {
  let t = Date.parse('2024-01-31T00:00:00Z');
  const reader = memoryStalenessReader({
    now: () => {
      t += 1000;
      return new Date(t);
    },
  });
  const v1 = build('1');
  const hours = hourly.keys({ now });
  const days = daily.keys({ now });
  for (const key of v1.assets.keys()) {
    const a = v1.asset(key);
    for (const pk of a.partitions === hourly ? hours : days) {
      if (a.external)
        reader.recordObservation({ assetKey: key, partitionKey: pk, dataVersion: 'o1' });
      else record(v1, reader, key, pk);
    }
  }
  const v2 = build('2');
  for (const h of hours.slice(-30)) record(v2, reader, 'stg/s0_t0', h);
  reader.recordObservation({ assetKey: 'src/s3', partitionKey: hours.at(-5)!, dataVersion: 'o2' });

  const day = days.at(-1)!;
  const explain = () => explainStaleness(v2, 'mart/m0', day, reader, { now });
  const first = explain();
  if (first.status !== 'STALE') throw new Error(`expected STALE, got ${first.status}`);
  for (let i = 0; i < 5; i++) explain();
  const times: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    explain();
    times.push(performance.now() - t0);
  }
  return [
    {
      name: `staleness explanation of one daily partition (${first.rootCauses.length} root causes, ${v2.assets.size} assets)`,
      value: median(times),
      unit: 'ms',
      target: 10,
    },
  ];
}
