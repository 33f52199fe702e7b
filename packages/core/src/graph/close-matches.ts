/**
 * "Did you mean" suggestions for unknown asset keys, check assets and selection keys. Only runs on
 * error paths, so a plain O(n · m²) scan over all candidates is fine even for 10,000 keys.
 */

/** The Levenshtein edit distance between `a` and `b` (insertions, deletions, substitutions). */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  // One rolling row keeps memory at O(|b|).
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * Up to `limit` candidates close to `input`, closest first (ties by key). A candidate is close when
 * its distance is at most a third of the input's length (at least 2), or when it ends with the
 * same last segment, which catches a forgotten or wrong prefix such as `raw_orders` vs `shop/raw_orders`.
 */
export function closeMatches(input: string, candidates: Iterable<string>, limit = 3): string[] {
  const max = Math.max(2, Math.floor(input.length / 3));
  const lower = input.toLowerCase();
  const last = lower.slice(lower.lastIndexOf('/') + 1);
  const scored: { key: string; score: number }[] = [];
  for (const key of candidates) {
    const candidate = key.toLowerCase();
    const distance = levenshtein(lower, candidate);
    if (distance <= max) scored.push({ key, score: distance });
    else if (candidate.slice(candidate.lastIndexOf('/') + 1) === last)
      scored.push({ key, score: max + 1 });
  }
  scored.sort((x, y) => x.score - y.score || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  return scored.slice(0, limit).map((s) => s.key);
}

/** A sentence suffix such as ` Did you mean "a" or "b"?`, or an empty string when there are none. */
export function didYouMean(matches: readonly string[]): string {
  if (matches.length === 0) return '';
  const quoted = matches.map((m) => `"${m}"`);
  const list =
    quoted.length === 1
      ? quoted[0]!
      : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]!}`;
  return ` Did you mean ${list}?`;
}
