import { CairnError } from '../errors.js';
import { checkIndex, clampSlice, rangeOf } from './definition-helpers.js';
import type {
  PartitionsContext,
  PartitionsDefinition,
  PartitionsSnapshot,
} from './partitions-definition.js';

/** A partitions definition whose keys are added at runtime (stored by the daemon under `name`). */
export interface DynamicPartitionsDefinition extends PartitionsDefinition {
  readonly type: 'dynamic';
  /** The name the keys are stored under. */
  readonly name: string;
}

// Index maps per key array, so repeated indexOf calls on the same stored array are O(1).
const indexCache = new WeakMap<readonly string[], Map<string, number>>();

function indexFor(keys: readonly string[]): Map<string, number> {
  let index = indexCache.get(keys);
  if (!index) {
    index = new Map();
    keys.forEach((k, i) => {
      if (!index!.has(k)) index!.set(k, i);
    });
    indexCache.set(keys, index);
  }
  return index;
}

class DynamicPartitions implements DynamicPartitionsDefinition {
  readonly type = 'dynamic' as const;
  readonly name: string;

  constructor(name: string) {
    if (typeof name !== 'string' || name.trim() === '') {
      throw new CairnError(
        'CAIRN_INVALID_PARTITIONS',
        `dynamicPartitions needs a non-empty name, got ${JSON.stringify(name)}.`,
        { name },
      );
    }
    this.name = name;
    Object.freeze(this);
  }

  private list(ctx?: PartitionsContext): readonly string[] {
    return ctx?.dynamic?.getDynamicPartitionKeys(this.name) ?? [];
  }

  count(ctx?: PartitionsContext): number {
    return this.list(ctx).length;
  }

  keyAt(index: number, ctx?: PartitionsContext): string {
    const list = this.list(ctx);
    checkIndex(index, list.length, this.describe());
    return list[index]!;
  }

  indexOf(key: string, ctx?: PartitionsContext): number {
    return indexFor(this.list(ctx)).get(key) ?? -1;
  }

  has(key: string, ctx?: PartitionsContext): boolean {
    return this.indexOf(key, ctx) >= 0;
  }

  keys(ctx?: PartitionsContext): string[] {
    return [...this.list(ctx)];
  }

  slice(start: number, end: number, ctx?: PartitionsContext): string[] {
    const list = this.list(ctx);
    const [s, e] = clampSlice(start, end, list.length);
    return list.slice(s, e);
  }

  range(from: string, to: string, ctx?: PartitionsContext): string[] {
    return rangeOf(this, from, to, this.describe(), ctx);
  }

  equals(other: PartitionsDefinition): boolean {
    return other instanceof DynamicPartitions && other.name === this.name;
  }

  snapshot(): PartitionsSnapshot {
    return { type: 'dynamic', name: this.name };
  }

  private describe(): string {
    return `dynamic partitions "${this.name}"`;
  }
}

/**
 * Partitions whose keys are added at runtime (Dagster's DynamicPartitionsDefinition): the keys come
 * from `ctx.dynamic.getDynamicPartitionKeys(name)`; without a reader the definition has no keys.
 *
 * @example
 * const customers = dynamicPartitions('customers');
 */
export function dynamicPartitions(name: string): DynamicPartitionsDefinition {
  return new DynamicPartitions(name);
}
