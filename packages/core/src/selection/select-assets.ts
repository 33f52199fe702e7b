import type { AssetGraph } from '../graph/asset-graph.js';
import { parseSelection } from './parse-selection.js';
import type { SelectionAst, TraversalDepth } from './selection-ast.js';

/**
 * Evaluates a parsed selection against a graph: the set of matching keys (unordered). A key
 * without a wildcard that names no asset throws CAIRN_UNKNOWN_ASSET with close matches, because
 * a typo that silently selects nothing would launch an empty run.
 */
export function evaluateSelection(graph: AssetGraph, ast: SelectionAst): Set<string> {
  switch (ast.type) {
    case 'all':
      return new Set(graph.keys);
    case 'key': {
      if (!ast.pattern.includes('*')) {
        if (!graph.has(ast.pattern)) throw graph.unknownAsset(ast.pattern);
        return new Set([ast.pattern]);
      }
      const glob = globToRegExp(ast.pattern);
      return filter(graph, (key) => glob.test(key));
    }
    case 'tag':
      return filter(graph, (key) => {
        const tags = graph.asset(key).tags;
        if (!Object.hasOwn(tags, ast.name)) return false;
        return ast.value === undefined || tags[ast.name] === ast.value;
      });
    case 'owner':
      return filter(graph, (key) => graph.asset(key).owners.includes(ast.value));
    case 'group':
      return filter(graph, (key) => graph.asset(key).group === ast.value);
    case 'kind':
      return filter(graph, (key) => graph.asset(key).kinds.includes(ast.value));
    case 'and': {
      const left = evaluateSelection(graph, ast.left);
      const right = evaluateSelection(graph, ast.right);
      return new Set([...left].filter((k) => right.has(k)));
    }
    case 'or': {
      const left = evaluateSelection(graph, ast.left);
      for (const key of evaluateSelection(graph, ast.right)) left.add(key);
      return left;
    }
    case 'not': {
      const excluded = evaluateSelection(graph, ast.operand);
      return filter(graph, (key) => !excluded.has(key));
    }
    case 'traversal': {
      const base = evaluateSelection(graph, ast.operand);
      const result = new Set(base);
      if (ast.upstream !== undefined)
        for (const key of graph.traverse(base, 'upstream', depthOf(ast.upstream))) result.add(key);
      if (ast.downstream !== undefined)
        for (const key of graph.traverse(base, 'downstream', depthOf(ast.downstream)))
          result.add(key);
      return result;
    }
    case 'roots': {
      const inner = evaluateSelection(graph, ast.operand);
      return new Set([...inner].filter((k) => !graph.parents(k).some((p) => inner.has(p))));
    }
    case 'sinks': {
      const inner = evaluateSelection(graph, ast.operand);
      return new Set([...inner].filter((k) => !graph.children(k).some((c) => inner.has(c))));
    }
  }
}

/**
 * Selects assets with Dagster's selection syntax and returns their keys in topological order.
 *
 * @example
 * selectAssets(graph, '+shop/revenue and not kind:python'); // the revenue asset and its ancestors, minus Python ones
 */
export function selectAssets(graph: AssetGraph, selection: string): string[] {
  return graph.sortKeys(evaluateSelection(graph, parseSelection(selection)));
}

/** True when `key` matches a key pattern whose `*` matches any run of characters, `/` included. */
export function matchesKeyPattern(pattern: string, key: string): boolean {
  return globToRegExp(pattern).test(key);
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`);
}

function filter(graph: AssetGraph, keep: (key: string) => boolean): Set<string> {
  const result = new Set<string>();
  for (const key of graph.keys) if (keep(key)) result.add(key);
  return result;
}

function depthOf(depth: TraversalDepth): number {
  return depth === 'all' ? Number.POSITIVE_INFINITY : depth;
}
