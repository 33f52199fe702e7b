/// <reference lib="webworker" />
import type { ELK as ElkApi } from 'elkjs/lib/elk-api.js';
import { bandedLayout } from './banded-layout.js';
import type { Box, LayoutInput, LayoutResult } from './layout-types.js';

/**
 * The layout worker: lays the graph out off the main thread so the page stays responsive while a
 * large graph is placed. ELK (layered, groups as compound nodes) for graphs up to `elkMaxNodes`,
 * the linear banded layout above that. ELK (1.4 MB) is loaded on first use only, so a large graph
 * does not wait ~300 ms for a script it never runs.
 */
let elkPromise: Promise<ElkApi> | null = null;

function loadElk(): Promise<ElkApi> {
  elkPromise ??= import('elkjs/lib/elk.bundled.js').then((m) => {
    // elk.bundled.js installs its own onmessage when it finds itself in a worker: put ours back.
    self.onmessage = onMessage;
    return new m.default();
  });
  return elkPromise;
}

async function elkLayout(input: LayoutInput): Promise<Omit<LayoutResult, 'engine' | 'ms'>> {
  const elk = await loadElk();
  const byGroup = new Map<string, LayoutInput['nodes']>();
  for (const n of input.nodes) {
    let list = byGroup.get(n.group);
    if (list === undefined) {
      list = [];
      byGroup.set(n.group, list);
    }
    list.push(n);
  }
  const graph = await elk.layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.layered.spacing.nodeNodeBetweenLayers': '70',
      'elk.spacing.nodeNode': '24',
      'elk.padding': '[top=36,left=20,bottom=20,right=20]',
    },
    children: [...byGroup].map(([group, members]) => ({
      id: `group:${group}`,
      layoutOptions: { 'elk.padding': '[top=36,left=20,bottom=20,right=20]' },
      children: members.map((n) => ({
        id: n.id,
        width: input.nodeWidth,
        height: input.nodeHeight,
      })),
    })),
    edges: input.edges.map((e, i) => ({ id: `e${i}`, sources: [e.from], targets: [e.to] })),
  });
  const positions: Record<string, { x: number; y: number }> = {};
  const groups: Record<string, Box> = {};
  for (const g of graph.children ?? []) {
    const gx = g.x ?? 0;
    const gy = g.y ?? 0;
    groups[g.id.slice('group:'.length)] = {
      x: gx,
      y: gy,
      width: g.width ?? 0,
      height: g.height ?? 0,
    };
    for (const c of g.children ?? []) positions[c.id] = { x: gx + (c.x ?? 0), y: gy + (c.y ?? 0) };
  }
  return { positions, groups };
}

async function onMessage(msg: MessageEvent<{ id: number; input: LayoutInput }>): Promise<void> {
  const { id, input } = msg.data;
  const t0 = performance.now();
  try {
    const useElk = input.nodes.length <= input.elkMaxNodes;
    const out = useElk ? await elkLayout(input) : bandedLayout(input);
    const result: LayoutResult = {
      ...out,
      engine: useElk ? 'elk' : 'banded',
      ms: performance.now() - t0,
    };
    self.postMessage({ id, result });
  } catch (err) {
    // ELK failing on an unusual graph falls back to the banded layout instead of a blank page.
    const out = bandedLayout(input);
    self.postMessage({
      id,
      result: { ...out, engine: 'banded', ms: performance.now() - t0 },
      warning: String(err),
    });
  }
}

self.onmessage = onMessage;
