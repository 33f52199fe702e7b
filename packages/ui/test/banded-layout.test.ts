import { describe, expect, it } from 'vitest';
import { bandedLayout } from '../src/lib/banded-layout.js';

const input = (nodes: [string, string][], edges: [string, string][]) => ({
  nodes: nodes.map(([id, group]) => ({ id, group })),
  edges: edges.map(([from, to]) => ({ from, to })),
  nodeWidth: 200,
  nodeHeight: 80,
  elkMaxNodes: 0,
});

describe('bandedLayout', () => {
  it('puts each node right of its upstream nodes and each group in its own band', () => {
    const { positions, groups } = bandedLayout(
      input(
        [
          ['a', 'g1'],
          ['b', 'g1'],
          ['c', 'g2'],
          ['d', 'g2'],
        ],
        [
          ['a', 'b'],
          ['b', 'c'],
          ['a', 'd'],
        ],
      ),
    );
    expect(positions.b!.x).toBeGreaterThan(positions.a!.x);
    expect(positions.c!.x).toBeGreaterThan(positions.b!.x);
    expect(positions.d!.x).toBeGreaterThan(positions.a!.x);
    const g1 = groups.g1!;
    const g2 = groups.g2!;
    expect(g1.y + g1.height).toBeLessThanOrEqual(g2.y);
    for (const [k, g] of [
      ['a', g1],
      ['b', g1],
      ['c', g2],
      ['d', g2],
    ] as const) {
      const p = positions[k]!;
      expect(p.x).toBeGreaterThanOrEqual(g.x);
      expect(p.y).toBeGreaterThanOrEqual(g.y);
      expect(p.x + 200).toBeLessThanOrEqual(g.x + g.width);
      expect(p.y + 80).toBeLessThanOrEqual(g.y + g.height);
    }
  });

  it('never overlaps two nodes, even for 10,000 assets', () => {
    const nodes: [string, string][] = Array.from({ length: 10_000 }, (_, i) => [
      `n${i}`,
      `g${i % 7}`,
    ]);
    const edges: [string, string][] = [];
    for (let i = 50; i < 10_000; i++) edges.push([`n${(i * 7919) % i}`, `n${i}`]);
    const { positions } = bandedLayout(input(nodes, edges));
    const seen = new Set<string>();
    for (const p of Object.values(positions)) {
      const k = `${p.x},${p.y}`;
      expect(seen.has(k)).toBe(false);
      seen.add(k);
    }
    expect(seen.size).toBe(10_000);
    for (const [from, to] of edges) expect(positions[to]!.x).toBeGreaterThan(positions[from]!.x);
  });
});
