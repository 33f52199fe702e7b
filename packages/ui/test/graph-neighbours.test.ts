import { describe, expect, it } from 'vitest';
import { isArrowKey, neighbourFor } from '../src/lib/graph-neighbours.js';

// a ─→ c ─→ e        columns at x = 0, 300, 600
// b ─→ d ─┘
const positions = {
  a: { x: 0, y: 0 },
  b: { x: 0, y: 150 },
  c: { x: 300, y: 0 },
  d: { x: 300, y: 150 },
  e: { x: 600, y: 60 },
};
const edges = [
  { from: 'a', to: 'c' },
  { from: 'b', to: 'd' },
  { from: 'c', to: 'e' },
  { from: 'd', to: 'e' },
];
const move = (key: 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown', from: string) =>
  neighbourFor(key, from, positions, edges, 230);

describe('neighbourFor', () => {
  it('moves right to a downstream asset and left to the nearest upstream one', () => {
    expect(move('ArrowRight', 'a')).toBe('c');
    expect(move('ArrowRight', 'd')).toBe('e');
    // e has two upstream assets: c is 60 px above it, d 90 px below, so c.
    expect(move('ArrowLeft', 'e')).toBe('c');
    expect(move('ArrowLeft', 'd')).toBe('b');
  });

  it('moves up and down within the column, never across columns', () => {
    expect(move('ArrowDown', 'a')).toBe('b');
    expect(move('ArrowUp', 'b')).toBe('a');
    expect(move('ArrowDown', 'c')).toBe('d');
    expect(move('ArrowDown', 'e')).toBeUndefined();
  });

  it('stays put at the ends of the graph and for unknown assets', () => {
    expect(move('ArrowLeft', 'a')).toBeUndefined();
    expect(move('ArrowRight', 'e')).toBeUndefined();
    expect(move('ArrowUp', 'a')).toBeUndefined();
    expect(move('ArrowRight', 'nope')).toBeUndefined();
  });

  it('breaks ties by key so the same key press always lands on the same asset', () => {
    const p = { x: { x: 0, y: 50 }, m: { x: 300, y: 0 }, k: { x: 300, y: 100 } };
    const e = [
      { from: 'x', to: 'm' },
      { from: 'x', to: 'k' },
    ];
    expect(neighbourFor('ArrowRight', 'x', p, e, 230)).toBe('k');
  });

  it('knows which keys are arrows', () => {
    expect(isArrowKey('ArrowUp')).toBe(true);
    expect(isArrowKey('Enter')).toBe(false);
  });
});
