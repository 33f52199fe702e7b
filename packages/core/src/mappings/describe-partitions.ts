import type {
  PartitionsDefinition,
  PartitionsSnapshot,
} from '../partitions/partitions-definition.js';

/** How many static keys a message lists before it abbreviates. */
const MAX_LISTED_KEYS = 5;

function describeSnapshot(s: PartitionsSnapshot): string {
  switch (s.type) {
    case 'time':
      return `time-window partitions (cron "${s.cron}", timezone ${s.timezone}, from ${s.start})`;
    case 'static': {
      const shown = s.keys.slice(0, MAX_LISTED_KEYS).join(', ');
      const more = s.keys.length > MAX_LISTED_KEYS ? `, ... (${s.keys.length} keys)` : '';
      return `static partitions [${shown}${more}]`;
    }
    case 'dynamic':
      return `dynamic partitions "${s.name}"`;
    case 'multi':
      return `multi partitions (${s.dimensions.map((d) => `${d.name}: ${d.partitions.type}`).join(', ')})`;
  }
}

/** A short human description of a partitions definition for error messages, e.g. `static partitions [a, b]`. */
export function describePartitions(def: PartitionsDefinition | undefined): string {
  if (def === undefined) return 'unpartitioned';
  return describeSnapshot(def.snapshot());
}
