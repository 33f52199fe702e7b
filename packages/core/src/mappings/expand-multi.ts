import type {
  MultiPartitionsDefinition,
  PartitionsContext,
} from '../partitions/partitions-definition.js';

/**
 * All keys of `multi` whose dimension keys come from `fixed[dimension]`, or from every key of a
 * dimension absent from `fixed`: the cartesian product, joined into multi keys. Dimensions are
 * walked in their (sorted) order, so each list being in partition order keeps the product in
 * partition order too for a row-major multi definition.
 */
export function expandMulti(
  multi: MultiPartitionsDefinition,
  fixed: ReadonlyMap<string, readonly string[]>,
  ctx: PartitionsContext,
): string[] {
  const lists = multi.dimensions.map((d) => ({
    name: d.name,
    keys: fixed.get(d.name) ?? d.partitions.keys(ctx),
  }));
  if (lists.some((l) => l.keys.length === 0)) return [];
  const out: string[] = [];
  const parts: Record<string, string> = {};
  const walk = (depth: number): void => {
    const list = lists[depth];
    if (list === undefined) {
      out.push(multi.join(parts));
      return;
    }
    for (const key of list.keys) {
      parts[list.name] = key;
      walk(depth + 1);
    }
  };
  walk(0);
  return out;
}

/** The partitions definition of dimension `name` of `multi`, or undefined when there is none. */
export function dimensionOf(multi: MultiPartitionsDefinition, name: string) {
  return multi.dimensions.find((d) => d.name === name)?.partitions;
}
