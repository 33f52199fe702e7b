/**
 * Partitions benchmark: a 1,000,000-partition hourly definition must answer count, keyAt and
 * indexOf in microseconds without building its key array (Dagster iterates windows for these).
 */
import {
  hourlyPartitions,
  type TimeWindowPartitionsDefinition,
} from '../packages/core/src/partitions/index.js';
import { type BenchFigure, perOpMicros, timeMs } from './harness.js';

const HOUR = 3_600_000;
const N = 1_000_000;
const NOW = new Date('2024-06-01T00:00:00Z');

function figures(label: string, def: TimeWindowPartitionsDefinition): BenchFigure[] {
  const ctx = { now: NOW };
  const count = def.count(ctx);
  if (count !== N) throw new Error(`${label}: expected ${N} partitions, got ${count}`);
  // Spread the probes over the whole range (a multiplicative stride visits all decades).
  const index = (i: number) => (i * 7919) % N;
  const keys = Array.from({ length: 10_000 }, (_, i) => def.keyAt(index(i), ctx));
  for (let i = 0; i < 100; i++) {
    if (def.indexOf(keys[i]!, ctx) !== index(i)) throw new Error(`${label}: indexOf mismatch`);
  }
  const note = 'microseconds per operation without building the key array';
  return [
    {
      name: `partitions: ${label} count()`,
      value: perOpMicros(() => def.count(ctx), 100_000),
      unit: 'µs',
      target: 5,
      note,
    },
    {
      name: `partitions: ${label} keyAt(i)`,
      value: perOpMicros((i) => def.keyAt(index(i), ctx), 100_000),
      unit: 'µs',
      target: 5,
      note,
    },
    {
      name: `partitions: ${label} indexOf(key)`,
      value: perOpMicros((i) => def.indexOf(keys[i % keys.length]!, ctx), 100_000),
      unit: 'µs',
      target: 5,
      note,
    },
  ];
}

/** Runs the partitions benchmark. */
export async function run(): Promise<BenchFigure[]> {
  const utc = hourlyPartitions({ start: new Date(NOW.getTime() - N * HOUR) });
  // New York has DST, so keys go through the per-year offset tables.
  const nyStart = new Date(NOW.getTime() - N * HOUR);
  const ny = hourlyPartitions({ start: nyStart, timezone: 'America/New_York' });
  const out = [...figures('1M hourly UTC', utc)];
  if (ny.count({ now: NOW }) === N) out.push(...figures('1M hourly America/New_York', ny));
  const ctx = { now: NOW };
  const sliceMs = await timeMs(() => utc.slice(500_000, 501_000, ctx), 20, 3);
  out.push({
    name: 'partitions: 1M hourly UTC slice of 1,000 keys',
    value: sliceMs * 1000,
    unit: 'µs',
    target: 1000,
    note: 'one slice of 1,000 keys from the middle, no full key array',
  });
  return out;
}
