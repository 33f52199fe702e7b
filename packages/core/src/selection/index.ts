export { parseSelection } from './parse-selection.js';
export { evaluateSelection, matchesKeyPattern, selectAssets } from './select-assets.js';
export type { SelectionAst, SelectionFilterAttribute, TraversalDepth } from './selection-ast.js';
export { type SelectionToken, tokenizeSelection } from './tokenize-selection.js';
