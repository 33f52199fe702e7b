import { CairnError } from '../errors.js';
import type { SelectionAst, TraversalDepth } from './selection-ast.js';
import { selectionSyntaxError } from './selection-syntax-error.js';
import { type SelectionToken, tokenizeSelection } from './tokenize-selection.js';

const OPERAND =
  'an asset key, a filter (key:, tag:, owner:, group:, kind:), "*", "(", "+", "not", "roots(" or "sinks("';

/**
 * Parses an asset selection into its syntax tree. Precedence, loosest first: `or`, `and`, `not`,
 * then the traversals `+`/`N+`, which bind to one key, filter, function or parenthesised group.
 * Throws CAIRN_SELECTION_SYNTAX with `details.column` (1-based) and a caret under the mistake.
 *
 * @example
 * parseSelection('+shop/revenue and not group:staging');
 */
export function parseSelection(text: string): SelectionAst {
  if (typeof text !== 'string') {
    throw new CairnError(
      'CAIRN_SELECTION_SYNTAX',
      `An asset selection must be a string such as "group:finance", got ${typeof text}.`,
      { selection: text },
    );
  }
  const tokens = tokenizeSelection(text);
  if (tokens.length === 1) {
    throw selectionSyntaxError(text, 0, OPERAND, 'an empty selection');
  }
  return new Parser(text, tokens).parse();
}

class Parser {
  private at = 0;

  constructor(
    private readonly text: string,
    private readonly tokens: readonly SelectionToken[],
  ) {}

  parse(): SelectionAst {
    const ast = this.parseOr();
    const next = this.peek();
    if (next.type !== 'eof') throw this.error(next, '"and", "or", "+" or the end of the selection');
    return ast;
  }

  private parseOr(): SelectionAst {
    let left = this.parseAnd();
    while (this.peek().type === 'or') {
      this.at++;
      left = { type: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): SelectionAst {
    let left = this.parseNot();
    while (this.peek().type === 'and') {
      this.at++;
      left = { type: 'and', left, right: this.parseNot() };
    }
    return left;
  }

  private parseNot(): SelectionAst {
    if (this.peek().type === 'not') {
      this.at++;
      return { type: 'not', operand: this.parseNot() };
    }
    return this.parseTraversal();
  }

  private parseTraversal(): SelectionAst {
    let upstream: TraversalDepth | undefined;
    const first = this.peek();
    if (first.type === 'depth') {
      // The tokenizer only makes a depth of digits that touch a `+`, so the next token is that `+`.
      this.at += 2;
      upstream = first.value;
    } else if (first.type === 'plus') {
      this.at++;
      upstream = 'all';
    }
    const operand = this.parsePrimary();
    let downstream: TraversalDepth | undefined;
    const plus = this.peek();
    if (plus.type === 'plus') {
      this.at++;
      const depth = this.peek();
      if (depth.type === 'depth' && depth.start === plus.end) {
        this.at++;
        downstream = depth.value;
      } else downstream = 'all';
    }
    if (upstream === undefined && downstream === undefined) return operand;
    return { type: 'traversal', operand, upstream, downstream };
  }

  private parsePrimary(): SelectionAst {
    const token = this.peek();
    switch (token.type) {
      case 'lparen': {
        this.at++;
        const inner = this.parseOr();
        this.expectClose(token);
        return inner;
      }
      case 'function': {
        this.at++;
        const open = this.peek();
        // The tokenizer only makes a function of roots/sinks followed by "(".
        this.at++;
        const operand = this.parseOr();
        this.expectClose(open);
        return { type: token.name, operand };
      }
      case 'star':
        this.at++;
        return { type: 'all' };
      case 'key':
        this.at++;
        return { type: 'key', pattern: token.pattern, column: token.start + 1 };
      case 'filter': {
        this.at++;
        if (token.attribute === 'key')
          return { type: 'key', pattern: token.value, column: token.start + 1 };
        if (token.attribute === 'tag')
          return { type: 'tag', name: token.value, value: token.tagValue };
        return { type: token.attribute, value: token.value };
      }
      default:
        throw this.error(token, OPERAND);
    }
  }

  private expectClose(open: SelectionToken): void {
    const token = this.peek();
    if (token.type !== 'rparen') {
      throw this.error(token, `")" to close the "(" at column ${open.start + 1}`);
    }
    this.at++;
  }

  private peek(): SelectionToken {
    return this.tokens[this.at]!;
  }

  private error(token: SelectionToken, expected: string): CairnError {
    return selectionSyntaxError(this.text, token.start, expected, this.describe(token));
  }

  private describe(token: SelectionToken): string {
    if (token.type === 'eof') return 'the end of the selection';
    return `"${this.text.slice(token.start, token.end)}"`;
  }
}
