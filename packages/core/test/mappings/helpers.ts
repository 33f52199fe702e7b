import type { PartitionMapping } from '../../src/mappings/index.js';
import type { PartitionsDefinition } from '../../src/partitions/partitions-definition.js';

/** The fixed "now" every mapping test runs at. */
export const NOW = new Date('2024-06-01T00:00:00Z');

/** upstreamKeys with the fixed now. */
export function up(
  mapping: PartitionMapping,
  downstream: PartitionsDefinition | undefined,
  upstream: PartitionsDefinition | undefined,
  downstreamKeys: readonly string[],
  now: Date = NOW,
): string[] {
  return mapping.upstreamKeys({ downstreamKeys, downstream, upstream, now });
}

/** downstreamKeys with the fixed now. */
export function down(
  mapping: PartitionMapping,
  downstream: PartitionsDefinition | undefined,
  upstream: PartitionsDefinition | undefined,
  upstreamKeys: readonly string[],
  now: Date = NOW,
): string[] {
  return mapping.downstreamKeys({ upstreamKeys, downstream, upstream, now });
}

/** The hourly keys `from`..`to` (inclusive, hours of one day) in `yyyy-MM-dd-HH:mm` form. */
export function hoursOf(day: string, hours: number[]): string[] {
  return hours.map((h) => `${day}-${String(h).padStart(2, '0')}:00`);
}

/** 0..n-1. */
export function range(n: number, from = 0): number[] {
  return Array.from({ length: n }, (_, i) => from + i);
}
