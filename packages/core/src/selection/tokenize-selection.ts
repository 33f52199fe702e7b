import type { SelectionFilterAttribute } from './selection-ast.js';
import { selectionSyntaxError } from './selection-syntax-error.js';

/** One token of an asset selection; `start`/`end` are 0-based offsets (end exclusive). */
export type SelectionToken = { start: number; end: number } & (
  | { type: 'lparen' | 'rparen' | 'plus' | 'star' | 'and' | 'or' | 'not' | 'eof' }
  | { type: 'function'; name: 'roots' | 'sinks' }
  /** Digits written against a `+`: `2+x` or `x+2`. */
  | { type: 'depth'; value: number }
  /** A bare (possibly quoted) key or key pattern. */
  | { type: 'key'; pattern: string }
  | { type: 'filter'; attribute: SelectionFilterAttribute; value: string; tagValue?: string }
);

const ATTRIBUTES: readonly SelectionFilterAttribute[] = ['key', 'tag', 'owner', 'group', 'kind'];
const WORD = /[A-Za-z0-9_/*]/;
const SPACE = /\s/;
// An unquoted filter value runs to the next space, parenthesis, quote or `+` (a traversal), so
// owners such as `team:data` and `alice@shop.com` need no quotes.
const VALUE_STOP = /[\s()"+]/;

/**
 * Splits a selection into tokens. Operators and attribute names are case-insensitive; keys and
 * values are not. Throws CAIRN_SELECTION_SYNTAX with the 1-based column of the first bad character.
 */
export function tokenizeSelection(text: string): SelectionToken[] {
  const tokens: SelectionToken[] = [];
  let i = 0;

  const readQuoted = (): string => {
    const open = i;
    let value = '';
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\' && i + 1 < text.length) i++;
      value += text[i];
      i++;
    }
    if (i >= text.length)
      throw selectionSyntaxError(
        text,
        open,
        `a closing '"' for the quote opened at column ${open + 1}`,
        'the end of the selection',
      );
    i++;
    return value;
  };

  const readValue = (stop: RegExp, what: string): string => {
    if (text[i] === '"') return readQuoted();
    const start = i;
    while (i < text.length && !stop.test(text[i]!)) i++;
    if (i === start) throw selectionSyntaxError(text, i, what, describeAt(text, i));
    return text.slice(start, i);
  };

  while (i < text.length) {
    const ch = text[i]!;
    const start = i;
    if (SPACE.test(ch)) {
      i++;
      continue;
    }
    if (ch === '(' || ch === ')' || ch === '+') {
      i++;
      tokens.push({ type: ch === '(' ? 'lparen' : ch === ')' ? 'rparen' : 'plus', start, end: i });
      continue;
    }
    if (ch === '"') {
      const pattern = readQuoted();
      tokens.push({ type: 'key', pattern, start, end: i });
      continue;
    }
    if (!WORD.test(ch)) {
      throw selectionSyntaxError(
        text,
        i,
        'an asset key, a filter, "*", "(", "+" or an operator',
        `the character "${ch}"`,
      );
    }
    let end = i;
    while (end < text.length && WORD.test(text[end]!)) end++;
    const word = text.slice(i, end);
    const previous = tokens[tokens.length - 1];
    if (/^[0-9]+$/.test(word)) {
      // `2+x`: digits right before a `+`. `x+2`: digits right after one, ending the word.
      const beforePlus = text[end] === '+';
      const afterPlus = previous?.type === 'plus' && previous.end === start;
      if (beforePlus || afterPlus) {
        i = end;
        tokens.push({ type: 'depth', value: Number(word), start, end });
        continue;
      }
    }
    if (text[end] === ':') {
      const attribute = word.toLowerCase() as SelectionFilterAttribute;
      if (!ATTRIBUTES.includes(attribute)) {
        throw selectionSyntaxError(
          text,
          start,
          'one of the filters key:, tag:, owner:, group:, kind:',
          `"${word}:"`,
        );
      }
      i = end + 1;
      if (attribute === 'tag') {
        const name = readValue(/[\s()"+=]/, 'a tag name after "tag:"');
        let tagValue: string | undefined;
        if (text[i] === '=') {
          i++;
          tagValue = readValue(VALUE_STOP, `a value after "tag:${name}="`);
        }
        tokens.push({ type: 'filter', attribute, value: name, tagValue, start, end: i });
      } else {
        const value = readValue(VALUE_STOP, `a value after "${word}:"`);
        tokens.push({ type: 'filter', attribute, value, start, end: i });
      }
      continue;
    }
    i = end;
    const lower = word.toLowerCase();
    if (lower === 'and' || lower === 'or' || lower === 'not') {
      tokens.push({ type: lower, start, end });
    } else if ((lower === 'roots' || lower === 'sinks') && nextNonSpace(text, end) === '(') {
      tokens.push({ type: 'function', name: lower, start, end });
    } else if (word === '*') {
      tokens.push({ type: 'star', start, end });
    } else {
      tokens.push({ type: 'key', pattern: word, start, end });
    }
  }
  tokens.push({ type: 'eof', start: text.length, end: text.length });
  return tokens;
}

function nextNonSpace(text: string, from: number): string | undefined {
  let i = from;
  while (i < text.length && SPACE.test(text[i]!)) i++;
  return text[i];
}

/** How the text at `i` is described in "found ..." messages. */
function describeAt(text: string, i: number): string {
  if (i >= text.length) return 'the end of the selection';
  const ch = text[i]!;
  return SPACE.test(ch) ? 'a space' : `"${ch}"`;
}
