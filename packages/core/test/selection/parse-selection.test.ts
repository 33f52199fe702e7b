import { describe, expect, it } from 'vitest';
import { CairnError } from '../../src/errors.js';
import { parseSelection, tokenizeSelection } from '../../src/selection/index.js';

function syntaxError(text: string): CairnError {
  try {
    parseSelection(text);
  } catch (err) {
    if (err instanceof CairnError && err.code === 'CAIRN_SELECTION_SYNTAX') return err;
    throw err;
  }
  throw new Error(`expected "${text}" to be rejected`);
}

const key = (pattern: string, column = 1) => ({ type: 'key', pattern, column });

describe('parseSelection', () => {
  it('parses bare keys, quoted keys and key: filters', () => {
    expect(parseSelection('shop/raw_orders')).toEqual(key('shop/raw_orders'));
    expect(parseSelection('  shop/*')).toEqual(key('shop/*', 3));
    expect(parseSelection('"shop/raw_orders"')).toEqual(key('shop/raw_orders'));
    expect(parseSelection('key:shop/*')).toEqual(key('shop/*'));
    expect(parseSelection('KEY:"shop/raw orders"')).toEqual(key('shop/raw orders'));
    expect(parseSelection('2024_data')).toEqual(key('2024_data'));
    expect(parseSelection('*')).toEqual({ type: 'all' });
  });

  it('parses tag, owner, group and kind filters', () => {
    expect(parseSelection('tag:tier=gold')).toEqual({ type: 'tag', name: 'tier', value: 'gold' });
    expect(parseSelection('tag:tier')).toEqual({ type: 'tag', name: 'tier', value: undefined });
    expect(parseSelection('tag:"data tier"="gold plated"')).toEqual({
      type: 'tag',
      name: 'data tier',
      value: 'gold plated',
    });
    expect(parseSelection('tag:pii=""')).toEqual({ type: 'tag', name: 'pii', value: '' });
    expect(parseSelection('owner:team:data')).toEqual({ type: 'owner', value: 'team:data' });
    expect(parseSelection('owner:alice@shop.com')).toEqual({
      type: 'owner',
      value: 'alice@shop.com',
    });
    expect(parseSelection('Group:finance')).toEqual({ type: 'group', value: 'finance' });
    expect(parseSelection('kind:sql')).toEqual({ type: 'kind', value: 'sql' });
  });

  it('gives not > and > or precedence', () => {
    expect(parseSelection('a or b and not c')).toEqual({
      type: 'or',
      left: key('a'),
      right: { type: 'and', left: key('b', 6), right: { type: 'not', operand: key('c', 16) } },
    });
    expect(parseSelection('not a and b')).toEqual({
      type: 'and',
      left: { type: 'not', operand: key('a', 5) },
      right: key('b', 11),
    });
    expect(parseSelection('a and b and c')).toEqual({
      type: 'and',
      left: { type: 'and', left: key('a'), right: key('b', 7) },
      right: key('c', 13),
    });
  });

  it('lets parentheses override precedence, case-insensitively', () => {
    expect(parseSelection('(a OR b) And NOT c')).toEqual({
      type: 'and',
      left: { type: 'or', left: key('a', 2), right: key('b', 7) },
      right: { type: 'not', operand: key('c', 18) },
    });
  });

  it('parses every traversal form', () => {
    const t = (upstream: unknown, downstream: unknown, operand: unknown) => ({
      type: 'traversal',
      operand,
      upstream,
      downstream,
    });
    expect(parseSelection('+x')).toEqual(t('all', undefined, key('x', 2)));
    expect(parseSelection('2+x')).toEqual(t(2, undefined, key('x', 3)));
    expect(parseSelection('x+')).toEqual(t(undefined, 'all', key('x')));
    expect(parseSelection('x+3')).toEqual(t(undefined, 3, key('x')));
    expect(parseSelection('+x+')).toEqual(t('all', 'all', key('x', 2)));
    expect(parseSelection('1+x+12')).toEqual(t(1, 12, key('x', 3)));
    expect(parseSelection('+(a or b)')).toEqual(
      t('all', undefined, { type: 'or', left: key('a', 3), right: key('b', 8) }),
    );
    expect(parseSelection('key:2024+')).toEqual(t(undefined, 'all', key('2024')));
    expect(parseSelection('not +x')).toEqual({
      type: 'not',
      operand: t('all', undefined, key('x', 6)),
    });
  });

  it('only reads digits as a depth when they touch the "+"', () => {
    expect(parseSelection('x+ or 2+y')).toEqual({
      type: 'or',
      left: { type: 'traversal', operand: key('x'), upstream: undefined, downstream: 'all' },
      right: { type: 'traversal', operand: key('y', 9), upstream: 2, downstream: undefined },
    });
  });

  it('parses roots() and sinks(); the same words without "(" are keys', () => {
    expect(parseSelection('roots(group:core)')).toEqual({
      type: 'roots',
      operand: { type: 'group', value: 'core' },
    });
    expect(parseSelection('SINKS (*)')).toEqual({ type: 'sinks', operand: { type: 'all' } });
    expect(parseSelection('+roots(a)')).toEqual({
      type: 'traversal',
      operand: { type: 'roots', operand: key('a', 8) },
      upstream: 'all',
      downstream: undefined,
    });
    expect(parseSelection('roots')).toEqual(key('roots'));
  });
});

describe('selection syntax errors', () => {
  it('shows the input with a caret under the column', () => {
    const err = syntaxError('a and');
    expect(err.message).toBe(
      'Invalid asset selection at column 6: expected an asset key, a filter (key:, tag:, owner:, group:, kind:), "*", "(", "+", "not", "roots(" or "sinks(", found the end of the selection.\n  a and\n       ^',
    );
    expect(err.details.column).toBe(6);
    expect(err.details.selection).toBe('a and');
  });

  it.each([
    ['', 1, 'an empty selection'],
    ['   ', 1, 'an empty selection'],
    ['group:finance or', 17, 'the end of the selection'],
    ['a b', 3, '"b"'],
    ['a and or b', 7, '"or"'],
    ['a)', 2, '")"'],
    ['(a or b', 8, 'the end of the selection'],
    ['roots(a', 8, 'the end of the selection'],
    ['foo:bar', 1, '"foo:"'],
    ['key:"abc', 5, 'the end of the selection'],
    ['a & b', 3, 'the character "&"'],
    ['group:', 7, 'the end of the selection'],
    ['group: x', 7, 'a space'],
    ['tag:tier=', 10, 'the end of the selection'],
    ['x+ 2', 4, '"2"'],
    ['2+', 3, 'the end of the selection'],
    ['+', 2, 'the end of the selection'],
  ])('rejects %j at column %i', (text, column, found) => {
    const err = syntaxError(text);
    expect(err.details.column).toBe(column);
    expect(err.details.found).toBe(found);
    const lines = err.message.split('\n');
    expect(lines[2]).toBe(`  ${' '.repeat(column - 1)}^`);
  });

  it('says which parenthesis is unclosed', () => {
    expect(syntaxError('x and (a or b').details.expected).toBe('")" to close the "(" at column 7');
  });

  it('names the filters when the attribute is unknown', () => {
    expect(syntaxError('grp:finance').message).toContain(
      'expected one of the filters key:, tag:, owner:, group:, kind:, found "grp:"',
    );
  });
});

describe('tokenizeSelection', () => {
  it('records token offsets', () => {
    expect(tokenizeSelection('2+a and b')).toEqual([
      { type: 'depth', value: 2, start: 0, end: 1 },
      { type: 'plus', start: 1, end: 2 },
      { type: 'key', pattern: 'a', start: 2, end: 3 },
      { type: 'and', start: 4, end: 7 },
      { type: 'key', pattern: 'b', start: 8, end: 9 },
      { type: 'eof', start: 9, end: 9 },
    ]);
  });
});
