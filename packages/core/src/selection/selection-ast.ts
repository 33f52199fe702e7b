/**
 * The syntax tree of an asset selection such as `+shop/revenue and not tag:tier=bronze`. Plain
 * JSON objects so the daemon can log them and the UI can show how a selection was understood.
 */

/** How far a traversal reaches: a number of layers, or `all` ancestors/descendants. */
export type TraversalDepth = number | 'all';

/** The attribute filters: `key:`, `tag:`, `owner:`, `group:`, `kind:`. */
export type SelectionFilterAttribute = 'key' | 'tag' | 'owner' | 'group' | 'kind';

/** One node of a parsed asset selection. */
export type SelectionAst =
  /** `*`: every asset. */
  | { type: 'all' }
  /** A bare key or `key:`; `pattern` may contain `*` wildcards, which also match `/`. */
  | { type: 'key'; pattern: string; column: number }
  /** `tag:name` (any value) or `tag:name=value`. */
  | { type: 'tag'; name: string; value: string | undefined }
  /** `owner:`, `group:` or `kind:` with an exact value. */
  | { type: 'owner' | 'group' | 'kind'; value: string }
  | { type: 'and' | 'or'; left: SelectionAst; right: SelectionAst }
  | { type: 'not'; operand: SelectionAst }
  /** `+x`, `N+x`, `x+`, `x+N`, `+x+`: the operand plus its ancestors and/or descendants. */
  | {
      type: 'traversal';
      operand: SelectionAst;
      upstream: TraversalDepth | undefined;
      downstream: TraversalDepth | undefined;
    }
  /** `roots(x)` / `sinks(x)`: the assets of x without parents / children inside x. */
  | { type: 'roots' | 'sinks'; operand: SelectionAst };
