import { z } from 'zod';
import { CairnError } from '../errors.js';
import { dynamicPartitions } from './dynamic-partitions.js';
import { multiPartitions } from './multi-partitions.js';
import type { PartitionsDefinition, PartitionsSnapshot } from './partitions-definition.js';
import { staticPartitions } from './static-partitions.js';
import { timeWindowPartitions } from './time-window-partitions.js';

// Snapshots come back from storage and the API: validate their shape before trusting them.
const snapshotSchema: z.ZodType<PartitionsSnapshot> = z.lazy(() =>
  z.discriminatedUnion('type', [
    z.object({
      type: z.literal('time'),
      cron: z.string(),
      timezone: z.string(),
      fmt: z.string(),
      start: z.string(),
      end: z.string().optional(),
      endOffset: z.number().int(),
    }),
    z.object({ type: z.literal('static'), keys: z.array(z.string()) }),
    z.object({ type: z.literal('dynamic'), name: z.string() }),
    z.object({
      type: z.literal('multi'),
      dimensions: z.array(z.object({ name: z.string(), partitions: snapshotSchema })),
    }),
  ]),
);

/**
 * Rebuilds a partitions definition from `definition.snapshot()` (the daemon stores snapshots);
 * the result `equals` the original. Throws CAIRN_INVALID_PARTITIONS for a malformed snapshot.
 *
 * @example
 * const again = partitionsFromSnapshot(JSON.parse(JSON.stringify(daily.snapshot())));
 */
export function partitionsFromSnapshot(snapshot: PartitionsSnapshot): PartitionsDefinition {
  const parsed = snapshotSchema.safeParse(snapshot);
  if (!parsed.success) {
    throw new CairnError(
      'CAIRN_INVALID_PARTITIONS',
      `Invalid partitions snapshot ${JSON.stringify(snapshot)}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}.`,
      { snapshot },
    );
  }
  return build(parsed.data);
}

function build(s: PartitionsSnapshot): PartitionsDefinition {
  switch (s.type) {
    case 'time':
      return timeWindowPartitions({
        cron: s.cron,
        timezone: s.timezone,
        fmt: s.fmt,
        start: s.start,
        ...(s.end !== undefined ? { end: s.end } : {}),
        endOffset: s.endOffset,
      });
    case 'static':
      return staticPartitions(s.keys);
    case 'dynamic':
      return dynamicPartitions(s.name);
    case 'multi':
      return multiPartitions(
        Object.fromEntries(s.dimensions.map((d) => [d.name, build(d.partitions)])),
      );
  }
}
