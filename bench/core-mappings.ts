/**
 * Partition mapping benchmarks: a daily asset reading an hourly one through timeWindowMapping(),
 * which must use index arithmetic (indexRangeOverlapping + slice) rather than scanning upstream keys.
 */
import { timeWindowMapping } from '../packages/core/src/mappings/index.js';
import { dailyPartitions, hourlyPartitions } from '../packages/core/src/partitions/index.js';
import { type BenchFigure, timeMs } from './harness.js';

/** Runs the mapping benchmarks and returns their figures. */
export async function run(): Promise<BenchFigure[]> {
  const now = new Date('2024-06-01T00:00:00Z');
  const daily = dailyPartitions({ start: '2020-01-01' });
  const hourly = hourlyPartitions({ start: '2020-01-01-00:00' });
  const mapping = timeWindowMapping();
  const dailyKeys = daily.slice(0, 1000, { now });
  const hourlyKeys = hourly.slice(0, 24_000, { now });

  let upstreamCount = 0;
  const up = await timeMs(() => {
    upstreamCount = mapping.upstreamKeys({
      downstreamKeys: dailyKeys,
      downstream: daily,
      upstream: hourly,
      now,
    }).length;
  }, 7);
  let perKeyCount = 0;
  const upPerKey = await timeMs(() => {
    perKeyCount = 0;
    for (const key of dailyKeys) {
      perKeyCount += mapping.upstreamKeys({
        downstreamKeys: [key],
        downstream: daily,
        upstream: hourly,
        now,
      }).length;
    }
  }, 7);
  let downstreamCount = 0;
  const down = await timeMs(() => {
    downstreamCount = mapping.downstreamKeys({
      upstreamKeys: hourlyKeys,
      downstream: daily,
      upstream: hourly,
      now,
    }).length;
  }, 7);
  // The same keys the other way round: an hourly asset reading a daily one.
  let hourlyDownCount = 0;
  const downHourly = await timeMs(() => {
    hourlyDownCount = mapping.downstreamKeys({
      upstreamKeys: dailyKeys,
      downstream: hourly,
      upstream: daily,
      now,
    }).length;
  }, 7);
  const sizes = [upstreamCount, perKeyCount, downstreamCount, hourlyDownCount];
  if (sizes.join() !== '24000,24000,1000,24000') {
    throw new Error(`mapping bench produced wrong sizes: ${sizes.join(', ')}`);
  }
  return [
    {
      name: 'mappings: 1,000 daily keys → 24,000 hourly upstream keys (one call)',
      value: up,
      unit: 'ms',
      target: 50,
      note: 'timeWindowMapping(), index arithmetic + slice',
    },
    {
      name: 'mappings: 1,000 daily keys → hourly upstream keys (1,000 calls of one key)',
      value: upPerKey,
      unit: 'ms',
      target: 50,
    },
    {
      name: 'mappings: 24,000 hourly upstream keys → 1,000 daily downstream keys (reverse)',
      value: down,
      unit: 'ms',
      target: 50,
      note: 'dominated by parsing 24,000 hourly keys',
    },
    {
      name: 'mappings: 1,000 daily upstream keys → 24,000 hourly downstream keys (reverse)',
      value: downHourly,
      unit: 'ms',
      target: 50,
    },
  ];
}
