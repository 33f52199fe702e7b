import { describe, expect, it } from 'vitest';
import { CairnError } from '../../src/errors.js';
import { AssetGraph } from '../../src/graph/index.js';
import { node } from './fixtures.js';

function cycleOf(fn: () => unknown): CairnError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CairnError && err.code === 'CAIRN_CYCLE') return err;
    throw err;
  }
  throw new Error('expected CAIRN_CYCLE');
}

describe('cycle detection', () => {
  it('reports a three-asset cycle in dependency order, starting at its smallest key', () => {
    // c reads b, b reads a, a reads c: data flows a → b → c → a.
    const err = cycleOf(
      () => new AssetGraph([node('c', ['b']), node('b', ['a']), node('a', ['c'])]),
    );
    expect(err.message).toBe(
      'Assets form a cycle: a → b → c → a. Remove one of these dependencies.',
    );
    expect(err.details.cycle).toEqual(['a', 'b', 'c', 'a']);
  });

  it('rotates the cycle to its smallest key even when other keys sort first', () => {
    const err = cycleOf(
      () =>
        new AssetGraph([
          node('shop/x', ['shop/z']),
          node('shop/y', ['shop/x']),
          node('shop/z', ['shop/y']),
          node('a_root'),
          node('shop/w', ['a_root', 'shop/y']),
        ]),
    );
    expect(err.details.cycle).toEqual(['shop/x', 'shop/y', 'shop/z', 'shop/x']);
  });

  it('reports only the cycle, not the assets downstream of it', () => {
    const err = cycleOf(
      () =>
        new AssetGraph([
          node('src'),
          node('m', ['src', 'n']),
          node('n', ['m']),
          node('after', ['n']),
          node('aaa_after', ['m']),
        ]),
    );
    expect(err.message).toBe('Assets form a cycle: m → n → m. Remove one of these dependencies.');
  });

  it('reports a two-asset cycle', () => {
    const err = cycleOf(() => new AssetGraph([node('a', ['b']), node('b', ['a'])]));
    expect(err.details.cycle).toEqual(['a', 'b', 'a']);
  });

  it('rejects a self-dependency without an explicit mapping', () => {
    const err = cycleOf(() => new AssetGraph([node('shop/events', ['shop/events'])]));
    expect(err.message).toContain('Asset "shop/events" depends on itself.');
    expect(err.message).toContain('timeWindowMapping({ startOffset: -1, endOffset: -1 })');
    expect(err.details.cycle).toEqual(['shop/events', 'shop/events']);
  });
});
