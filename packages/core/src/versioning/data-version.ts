import { createHash, randomUUID } from 'node:crypto';

/** Identifies one upstream partition as read by a materialization: `asset_key` or `asset_key[partition]`. */
export function inputRef(assetKey: string, partitionKey: string | undefined): string {
  return partitionKey === undefined ? assetKey : `${assetKey}[${partitionKey}]`;
}

/**
 * Splits an input ref made by `inputRef` back into its asset key and partition key. Asset keys
 * never contain `[`, so the first one starts the partition key (which may itself contain brackets).
 */
export function parseInputRef(ref: string): { assetKey: string; partitionKey: string | undefined } {
  const open = ref.indexOf('[');
  if (open < 0 || !ref.endsWith(']')) return { assetKey: ref, partitionKey: undefined };
  return { assetKey: ref.slice(0, open), partitionKey: ref.slice(open + 1, -1) };
}

/**
 * The data version a materialization gets when the function did not return one: with a code
 * version, a hash of it and the sorted input data versions (so recomputing the same code on the
 * same inputs yields the same version and does not make downstream stale); without one, unique.
 *
 * @param inputs input ref (see `inputRef`) → data version of exactly the partitions read
 */
export function defaultDataVersion(
  codeVersion: string | undefined,
  inputs: Readonly<Record<string, string>>,
): string {
  if (codeVersion === undefined) return randomUUID().replaceAll('-', '');
  const h = createHash('sha256');
  h.update('code\0').update(codeVersion).update('\0');
  for (const ref of Object.keys(inputs).sort())
    h.update(ref).update('\0').update(inputs[ref]!).update('\0');
  return h.digest('hex').slice(0, 32);
}
