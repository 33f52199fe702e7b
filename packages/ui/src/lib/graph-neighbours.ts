/** Arrow keys that move the keyboard focus between assets on the graph. */
export type ArrowKey = 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown';

/** Whether a key is one of the arrow keys the graph handles. */
export function isArrowKey(key: string): key is ArrowKey {
  return key === 'ArrowLeft' || key === 'ArrowRight' || key === 'ArrowUp' || key === 'ArrowDown';
}

/**
 * The asset an arrow key moves to from `from`: ← its upstream asset and → its downstream asset
 * nearest on screen (by vertical distance, then key), ↑ / ↓ the nearest asset above / below it in
 * the same column (left edges within half a node width). Undefined when there is none, so the focus
 * stays where it is. O(nodes + edges) per key press, which is nothing next to a re-render.
 */
export function neighbourFor(
  key: ArrowKey,
  from: string,
  positions: Readonly<Record<string, { x: number; y: number }>>,
  edges: readonly { from: string; to: string }[],
  nodeWidth: number,
): string | undefined {
  const here = positions[from];
  if (here === undefined) return undefined;
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  const consider = (id: string, score: number) => {
    if (score < bestScore || (score === bestScore && best !== undefined && id < best)) {
      best = id;
      bestScore = score;
    }
  };
  if (key === 'ArrowLeft' || key === 'ArrowRight') {
    for (const e of edges) {
      const other =
        key === 'ArrowLeft' ? (e.to === from ? e.from : null) : e.from === from ? e.to : null;
      if (other === null || other === from) continue;
      const p = positions[other];
      if (p !== undefined) consider(other, Math.abs(p.y - here.y) + Math.abs(p.x - here.x) / 1e6);
    }
    return best;
  }
  const up = key === 'ArrowUp';
  for (const [id, p] of Object.entries(positions)) {
    if (id === from || Math.abs(p.x - here.x) > nodeWidth / 2) continue;
    const dy = up ? here.y - p.y : p.y - here.y;
    if (dy > 0) consider(id, dy);
  }
  return best;
}
