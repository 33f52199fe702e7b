import type { AssetGraphSnapshot } from '@cairn/core';

/** The formats of `cairn graph`. */
export type GraphFormat = 'text' | 'mermaid' | 'dot' | 'json';

/** The graph formats, for the option's choices. */
export const GRAPH_FORMATS: readonly GraphFormat[] = ['text', 'mermaid', 'dot', 'json'];

function mermaidId(key: string): string {
  // Mermaid node ids may not hold `/`; the label keeps the real key.
  return key.replace(/[^A-Za-z0-9_]/g, '__');
}

function dotQuote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function mappingLabel(mapping: { type: string }): string {
  return mapping.type === 'identity' || mapping.type === 'all' ? '' : mapping.type;
}

/**
 * Renders a graph snapshot: `text` (each asset with its upstream deps, topological order),
 * `mermaid` (a flowchart for Markdown), `dot` (Graphviz) or `json` (the snapshot itself).
 */
export function renderGraph(snapshot: AssetGraphSnapshot, format: GraphFormat): string {
  const upstream = new Map<string, typeof snapshot.edges>();
  for (const e of snapshot.edges) {
    const list = upstream.get(e.to) ?? [];
    list.push(e);
    upstream.set(e.to, list);
  }
  switch (format) {
    case 'json':
      return JSON.stringify(snapshot, null, 2);
    case 'mermaid': {
      const lines = ['flowchart LR'];
      for (const n of snapshot.nodes) lines.push(`  ${mermaidId(n.key)}["${n.key}"]`);
      for (const e of snapshot.edges) {
        const label = mappingLabel(e.mapping);
        const arrow = label === '' ? '-->' : `-->|${label}|`;
        lines.push(`  ${mermaidId(e.from)} ${arrow} ${mermaidId(e.to)}`);
      }
      return lines.join('\n');
    }
    case 'dot': {
      const lines = ['digraph cairn {', '  rankdir=LR;', '  node [shape=box];'];
      for (const n of snapshot.nodes) lines.push(`  ${dotQuote(n.key)};`);
      for (const e of snapshot.edges) {
        const label = mappingLabel(e.mapping);
        lines.push(
          `  ${dotQuote(e.from)} -> ${dotQuote(e.to)}${label === '' ? '' : ` [label=${dotQuote(label)}]`};`,
        );
      }
      lines.push('}');
      return lines.join('\n');
    }
    default: {
      const lines: string[] = [];
      for (const n of snapshot.nodes) {
        const deps = (upstream.get(n.key) ?? []).map((e) => {
          const label = mappingLabel(e.mapping);
          return label === '' ? e.from : `${e.from} (${label})`;
        });
        lines.push(deps.length === 0 ? n.key : `${n.key} <- ${deps.join(', ')}`);
      }
      return lines.join('\n');
    }
  }
}
