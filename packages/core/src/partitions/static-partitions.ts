import { CairnError } from '../errors.js';
import { checkIndex, clampSlice, rangeOf } from './definition-helpers.js';
import type { PartitionsDefinition, PartitionsSnapshot } from './partitions-definition.js';

/** A partitions definition with a fixed list of keys. */
export interface StaticPartitionsDefinition extends PartitionsDefinition {
  readonly type: 'static';
}

/** Characters that would make keys ambiguous in multi keys (`|`) and key ranges (`,`, `[`, `]`). */
const FORBIDDEN = ['|', ',', '[', ']', '...'] as const;

function invalidKey(key: unknown, why: string): CairnError {
  return new CairnError(
    'CAIRN_INVALID_PARTITIONS',
    `Invalid static partition key ${JSON.stringify(key)}: ${why}.`,
    { key },
  );
}

class StaticPartitions implements StaticPartitionsDefinition {
  readonly type = 'static' as const;
  private readonly list: readonly string[];
  private readonly index: ReadonlyMap<string, number>;

  constructor(keys: readonly string[]) {
    if (!Array.isArray(keys) || keys.length === 0) {
      throw new CairnError(
        'CAIRN_INVALID_PARTITIONS',
        `staticPartitions needs a non-empty array of keys, got ${Array.isArray(keys) ? '[]' : JSON.stringify(keys)}.`,
        { keys },
      );
    }
    const index = new Map<string, number>();
    keys.forEach((key, i) => {
      if (typeof key !== 'string' || key === '')
        throw invalidKey(key, 'keys must be non-empty strings');
      const bad = FORBIDDEN.find((c) => key.includes(c));
      if (bad)
        throw invalidKey(key, `it contains "${bad}"; remove the characters | , [ ] and "..."`);
      if (index.has(key))
        throw invalidKey(
          key,
          `it appears twice (positions ${index.get(key)} and ${i}); keys must be unique`,
        );
      index.set(key, i);
    });
    this.list = Object.freeze([...keys]);
    this.index = index;
    Object.freeze(this);
  }

  count(): number {
    return this.list.length;
  }

  keyAt(index: number): string {
    checkIndex(index, this.list.length, 'static partitions');
    return this.list[index]!;
  }

  indexOf(key: string): number {
    return this.index.get(key) ?? -1;
  }

  has(key: string): boolean {
    return this.index.has(key);
  }

  keys(): string[] {
    return [...this.list];
  }

  slice(start: number, end: number): string[] {
    const [s, e] = clampSlice(start, end, this.list.length);
    return this.list.slice(s, e);
  }

  range(from: string, to: string): string[] {
    return rangeOf(this, from, to, 'static partitions');
  }

  equals(other: PartitionsDefinition): boolean {
    if (other === this) return true;
    if (!(other instanceof StaticPartitions) || other.list.length !== this.list.length)
      return false;
    return this.list.every((k, i) => other.list[i] === k);
  }

  snapshot(): PartitionsSnapshot {
    return { type: 'static', keys: [...this.list] };
  }
}

/**
 * Partitions with a fixed list of keys, in the given order (Dagster's StaticPartitionsDefinition).
 * Keys must be unique non-empty strings without `|`, `,`, `[`, `]` or `...`.
 *
 * @example
 * const regions = staticPartitions(['eu', 'us', 'apac']);
 */
export function staticPartitions(keys: readonly string[]): StaticPartitionsDefinition {
  return new StaticPartitions(keys);
}
