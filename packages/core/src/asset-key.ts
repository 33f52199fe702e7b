import { CairnError } from './errors.js';

/** An asset key is a path of segments; written with `/` as `shop/raw_orders`. */
export type AssetKeyInput = string | readonly string[];

const SEGMENT = /^[A-Za-z0-9_]+$/;

/**
 * Normalizes a key given as `"a/b"` or `["a", "b"]` to its canonical string form.
 * Throws CAIRN_INVALID_ASSET_KEY naming the offending segment.
 */
export function assetKey(input: AssetKeyInput): string {
  const segments = typeof input === 'string' ? input.split('/') : [...input];
  if (segments.length === 0 || (segments.length === 1 && segments[0] === '')) {
    throw new CairnError(
      'CAIRN_INVALID_ASSET_KEY',
      'Asset key is empty. Give a key such as "shop/raw_orders" or ["shop", "raw_orders"].',
      { key: input },
    );
  }
  for (const segment of segments) {
    if (!SEGMENT.test(segment)) {
      throw new CairnError(
        'CAIRN_INVALID_ASSET_KEY',
        `Asset key "${segments.join('/')}" has an invalid segment "${segment}": segments may only contain letters, digits and underscores ([A-Za-z0-9_]+), separated by "/".`,
        { key: segments.join('/'), segment },
      );
    }
  }
  return segments.join('/');
}

/** Splits a canonical key into its segments. */
export function assetKeySegments(key: string): string[] {
  return key.split('/');
}

/** True when `key` is a syntactically valid asset key string. */
export function isValidAssetKey(key: string): boolean {
  return key.split('/').every((s) => SEGMENT.test(s));
}
