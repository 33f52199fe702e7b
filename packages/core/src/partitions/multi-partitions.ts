import { CairnError } from '../errors.js';
import { checkIndex, clampSlice, rangeOf, unknownPartition } from './definition-helpers.js';
import {
  isTimeWindowPartitions,
  type MultiPartitionsDefinition,
  type PartitionsContext,
  type PartitionsDefinition,
  type PartitionsSnapshot,
} from './partitions-definition.js';

const SEPARATOR = '|';

class MultiPartitions implements MultiPartitionsDefinition {
  readonly type = 'multi' as const;
  readonly dimensions: readonly { name: string; partitions: PartitionsDefinition }[];
  readonly timeDimension: string | undefined;

  constructor(dims: Record<string, PartitionsDefinition>) {
    if (typeof dims !== 'object' || dims === null) {
      throw invalid(`multiPartitions needs an object of dimensions, got ${String(dims)}`, {});
    }
    const names = Object.keys(dims).sort();
    if (names.length < 2) {
      throw invalid(
        `multiPartitions needs at least 2 dimensions, got ${names.length} (${names.join(', ') || 'none'}); use the single definition directly`,
        { dimensions: names },
      );
    }
    const dimensions = names.map((name) => {
      const partitions = dims[name];
      if (name === '' || name.includes(SEPARATOR)) {
        throw invalid(`dimension name ${JSON.stringify(name)} must be non-empty and free of "|"`, {
          dimension: name,
        });
      }
      if (!partitions || typeof partitions.keyAt !== 'function') {
        throw invalid(`dimension "${name}" is not a partitions definition`, { dimension: name });
      }
      if (partitions.type === 'multi') {
        throw invalid(
          `dimension "${name}" is itself multi-dimensional; list its dimensions at the top level`,
          { dimension: name },
        );
      }
      if (isTimeWindowPartitions(partitions) && partitions.fmt.includes(SEPARATOR)) {
        throw invalid(
          `dimension "${name}" has key format "${partitions.fmt}" containing "|", the multi-key separator`,
          { dimension: name },
        );
      }
      return Object.freeze({ name, partitions });
    });
    const timeDims = dimensions.filter((d) => d.partitions.type === 'time').map((d) => d.name);
    if (timeDims.length > 1) {
      throw invalid(
        `multiPartitions allows at most one time-window dimension, got ${timeDims.join(', ')}`,
        { timeDimensions: timeDims },
      );
    }
    this.dimensions = Object.freeze(dimensions);
    this.timeDimension = timeDims[0];
    Object.freeze(this);
  }

  /** Per-dimension counts under `ctx` (first dimension is the most significant digit). */
  private counts(ctx?: PartitionsContext): number[] {
    return this.dimensions.map((d) => d.partitions.count(ctx));
  }

  count(ctx?: PartitionsContext): number {
    return this.counts(ctx).reduce((a, b) => a * b, 1);
  }

  keyAt(index: number, ctx?: PartitionsContext): string {
    const counts = this.counts(ctx);
    checkIndex(
      index,
      counts.reduce((a, b) => a * b, 1),
      this.describe(),
    );
    return this.keyFromDigits(index, counts, ctx);
  }

  indexOf(key: string, ctx?: PartitionsContext): number {
    if (typeof key !== 'string') return -1;
    const parts = key.split(SEPARATOR);
    if (parts.length !== this.dimensions.length) return -1;
    let index = 0;
    for (let d = 0; d < this.dimensions.length; d++) {
      const dim = this.dimensions[d]!.partitions;
      const i = dim.indexOf(parts[d]!, ctx);
      if (i < 0) return -1;
      index = index * dim.count(ctx) + i;
    }
    return index;
  }

  has(key: string, ctx?: PartitionsContext): boolean {
    return this.indexOf(key, ctx) >= 0;
  }

  keys(ctx?: PartitionsContext): string[] {
    return this.slice(0, Number.POSITIVE_INFINITY, ctx);
  }

  slice(start: number, end: number, ctx?: PartitionsContext): string[] {
    const counts = this.counts(ctx);
    const [s, e] = clampSlice(
      start,
      end,
      counts.reduce((a, b) => a * b, 1),
    );
    const out: string[] = [];
    for (let i = s; i < e; i++) out.push(this.keyFromDigits(i, counts, ctx));
    return out;
  }

  range(from: string, to: string, ctx?: PartitionsContext): string[] {
    return rangeOf(this, from, to, this.describe(), ctx);
  }

  split(key: string): Record<string, string> {
    const parts = typeof key === 'string' ? key.split(SEPARATOR) : [];
    if (parts.length !== this.dimensions.length || parts.some((p) => p === '')) {
      throw unknownPartition(
        String(key),
        `${this.describe()} (expected ${this.dimensions.length} parts joined by "|")`,
      );
    }
    const out: Record<string, string> = {};
    this.dimensions.forEach((d, i) => {
      out[d.name] = parts[i]!;
    });
    return out;
  }

  join(parts: Record<string, string>): string {
    const extra = Object.keys(parts ?? {}).filter(
      (n) => !this.dimensions.some((d) => d.name === n),
    );
    const values = this.dimensions.map((d) => parts?.[d.name]);
    const missing = this.dimensions
      .filter((_, i) => typeof values[i] !== 'string')
      .map((d) => d.name);
    if (missing.length > 0 || extra.length > 0 || values.some((v) => v?.includes(SEPARATOR))) {
      throw new CairnError(
        'CAIRN_UNKNOWN_PARTITION',
        `Cannot join ${JSON.stringify(parts)} into a key of ${this.describe()}: give one string per dimension (${this.dimensions.map((d) => d.name).join(', ')}) without "|"${missing.length ? `; missing ${missing.join(', ')}` : ''}${extra.length ? `; unknown ${extra.join(', ')}` : ''}.`,
        { parts, missing, extra },
      );
    }
    return values.join(SEPARATOR);
  }

  equals(other: PartitionsDefinition): boolean {
    if (other === this) return true;
    if (!(other instanceof MultiPartitions) || other.dimensions.length !== this.dimensions.length) {
      return false;
    }
    return this.dimensions.every((d, i) => {
      const o = other.dimensions[i]!;
      return o.name === d.name && o.partitions.equals(d.partitions);
    });
  }

  snapshot(): PartitionsSnapshot {
    return {
      type: 'multi',
      dimensions: this.dimensions.map((d) => ({
        name: d.name,
        partitions: d.partitions.snapshot(),
      })),
    };
  }

  /** Mixed-radix decoding of `index`: the last dimension varies fastest (like itertools.product). */
  private keyFromDigits(index: number, counts: number[], ctx?: PartitionsContext): string {
    const parts = new Array<string>(counts.length);
    let rest = index;
    for (let d = counts.length - 1; d >= 0; d--) {
      const c = counts[d]!;
      parts[d] = this.dimensions[d]!.partitions.keyAt(rest % c, ctx);
      rest = Math.floor(rest / c);
    }
    return parts.join(SEPARATOR);
  }

  private describe(): string {
    return `multi partitions (${this.dimensions.map((d) => d.name).join(', ')})`;
  }
}

function invalid(message: string, details: Record<string, unknown>): CairnError {
  return new CairnError('CAIRN_INVALID_PARTITIONS', `${message}.`, details);
}

/**
 * Partitions that are the cartesian product of named dimensions (Dagster's
 * MultiPartitionsDefinition, with any number >= 2 of dimensions). Dimensions are sorted by name;
 * a key joins the dimension keys with `|` in that order (`2024-01-01|eu` for `date`, `region`),
 * and keys are ordered with the first dimension most significant.
 *
 * @example
 * const byDayAndRegion = multiPartitions({ date: dailyPartitions({ start: '2024-01-01' }), region: staticPartitions(['eu', 'us']) });
 */
export function multiPartitions(
  dimensions: Record<string, PartitionsDefinition>,
): MultiPartitionsDefinition & { readonly timeDimension: string | undefined } {
  return new MultiPartitions(dimensions);
}
