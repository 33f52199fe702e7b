import {
  Background,
  Controls,
  type Edge,
  MiniMap,
  type NodeMouseHandler,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
} from '@xyflow/react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import { api } from '../api/api-client.js';
import type { AssetNode, GraphResponse } from '../api/api-types.js';
import { MaterializeDialog } from '../components/materialize-dialog.js';
import { Empty, ErrorState, Loading } from '../components/states.js';
import { assetStatusWord } from '../lib/asset-status.js';
import { failingChecks } from '../lib/failing-checks.js';
import { layoutInWorker, warmLayoutWorker } from '../lib/layout-client.js';
import type { LayoutResult } from '../lib/layout-types.js';
import { useApi, useLiveEvents } from '../lib/use-api.js';
import {
  ASSET_HANDLES,
  type AssetFlowNode,
  AssetNodeView,
  type GroupFlowNode,
  GroupNodeView,
  NODE_HEIGHT,
  NODE_WIDTH,
} from './asset-node.js';
import { GraphSidePanel } from './graph-side-panel.js';
import { useGraphKeyboard } from './use-graph-keyboard.js';

const nodeTypes = { asset: AssetNodeView, group: GroupNodeView };

// What screen readers announce on a focused node (React Flow's default talks about deleting nodes).
const ARIA_LABELS = {
  'node.a11yDescription.default':
    'Enter opens the asset panel, Space adds the asset to the selection, arrow keys move to upstream (left), downstream (right) and neighbouring (up, down) assets.',
};

// ELK's layered layout is superlinear; above this many assets the banded layout takes over.
const ELK_MAX_NODES = 400;
// Above this many assets the graph opens zoomed in instead of fitted, and without a minimap.
const LARGE_GRAPH = 300;

/** Events that change what the graph shows (statuses, checks). */
const LIVE_TYPES = new Set([
  'materialization',
  'step_started',
  'step_failed',
  'run_finished',
  'run_canceled',
  'check_evaluation',
  'asset_wiped',
  'asset_observation',
]);

/** The lineage graph page: all assets (or a selection), grouped, with live statuses. */
export function GraphPage() {
  return (
    <ReactFlowProvider>
      <GraphView />
    </ReactFlowProvider>
  );
}

function GraphView() {
  const [params, setParams] = useSearchParams();
  const select = params.get('select') ?? '';
  const [filterText, setFilterText] = useState(select);
  const [search, setSearch] = useState('');
  const graph = useApi<GraphResponse>(async () => {
    // The daemon parses the selection and returns the selected assets with the edges between them.
    const result = await api.graph(select === '' ? {} : { select });
    performance.mark('cairn:graph-fetched');
    return result;
  }, [select]);
  useLiveEvents((r) => LIVE_TYPES.has(r.event.type), graph.reload);

  const [layout, setLayout] = useState<{ sig: string; result: LayoutResult } | null>(null);
  const [failing, setFailing] = useState<Map<string, string[]>>(new Map());
  const [openKey, setOpenKey] = useState<string | null>(null);
  const [selected, setSelected] = useState<string[]>([]);
  const [dialog, setDialog] = useState<AssetNode[] | null>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const panelRef = useRef<HTMLElement>(null);
  const flow = useReactFlow();
  // Start the layout worker (and its script download) while the graph is still being fetched.
  useEffect(() => warmLayoutWorker(), []);

  const data = graph.data;
  // Lay out again only when the set of nodes or edges changes, not when a status does.
  const sig = useMemo(
    () => (data ? `${data.nodes.map((n) => n.key).join(',')}|${data.edges.length}` : ''),
    [data],
  );
  // The layout depends on the node and edge set only (`sig`): a status update gives a new `data`
  // with the same set, and must not cancel a layout in flight (during a backfill the graph reloads
  // four times a second, faster than ELK places a few hundred assets, so it would never land).
  const dataRef = useRef(data);
  dataRef.current = data;
  useEffect(() => {
    const d = dataRef.current;
    if (!d) return;
    let live = true;
    layoutInWorker({
      nodes: d.nodes.map((n) => ({ id: n.key, group: n.group })),
      edges: d.edges.map((e) => ({ from: e.from, to: e.to })),
      nodeWidth: NODE_WIDTH,
      nodeHeight: NODE_HEIGHT,
      elkMaxNodes: ELK_MAX_NODES,
    }).then((result) => {
      if (!live) return;
      performance.mark('cairn:layout-done');
      setLayout({ sig, result });
      document.body.dataset.graphReady = String(d.nodes.length);
      document.body.dataset.layoutEngine = result.engine;
      // Fitting thousands of nodes on screen would draw all of them (3.5 s for 2,000 here); large
      // graphs open at a readable zoom on their upstream end, so only the visible nodes render.
      requestAnimationFrame(() =>
        d.nodes.length > LARGE_GRAPH
          ? flow.setViewport({ x: 16, y: 16, zoom: 0.7 })
          : flow.fitView({ padding: 0.1, maxZoom: 1 }),
      );
    });
    return () => {
      live = false;
    };
  }, [sig, flow]);

  useEffect(() => {
    if (!data) return;
    let live = true;
    failingChecks(data.nodes).then((m) => live && setFailing(m));
    return () => {
      live = false;
    };
  }, [data]);

  const keys = useGraphKeyboard({
    positions: layout?.result.positions,
    edges: data?.edges,
    openKey,
    setOpenKey,
    setSelected,
    searchRef,
    panelRef,
  });

  const needle = search.trim().toLowerCase();
  const nodes = useMemo<(AssetFlowNode | GroupFlowNode)[]>(() => {
    if (!data || !layout) return [];
    const groups: GroupFlowNode[] = Object.entries(layout.result.groups).map(([name, box]) => ({
      id: `group:${name}`,
      type: 'group',
      position: { x: box.x, y: box.y },
      style: { width: box.width, height: box.height },
      data: { label: name },
      selectable: false,
      draggable: false,
      focusable: false,
      zIndex: -1,
      measured: { width: box.width, height: box.height },
      handles: [],
    }));
    const picked = new Set(selected);
    const assets: AssetFlowNode[] = data.nodes.map((a) => {
      const fails = failing.get(a.key) ?? [];
      return {
        id: a.key,
        type: 'asset',
        position: layout.result.positions[a.key] ?? { x: 0, y: 0 },
        data: {
          asset: a,
          failing: fails,
          dimmed: needle !== '' && !a.key.toLowerCase().includes(needle),
          picked: picked.has(a.key),
        },
        ariaLabel: `${a.key}, ${assetStatusWord(a.status)}${fails.length > 0 ? `, ${fails.length} failing check${fails.length === 1 ? '' : 's'}` : ''}${picked.has(a.key) ? ', selected' : ''}`,
        draggable: false,
        width: NODE_WIDTH,
        height: NODE_HEIGHT,
        // Known size and handles: React Flow need not draw every node once to measure it (it
        // did, which cost 1.5 s on 2,000 assets and again on each live update).
        measured: { width: NODE_WIDTH, height: NODE_HEIGHT },
        handles: ASSET_HANDLES,
      };
    });
    return [...groups, ...assets];
  }, [data, layout, failing, needle, selected]);

  const edges = useMemo<Edge[]>(
    () =>
      data && layout
        ? data.edges.map((e) => ({
            id: `${e.from}->${e.to}`,
            source: e.from,
            target: e.to,
            focusable: false,
          }))
        : [],
    [data, layout],
  );

  if (graph.error && !data) return <ErrorState error={graph.error} retry={graph.reload} />;
  const byKey = new Map((data?.nodes ?? []).map((n) => [n.key, n]));
  const open = openKey === null ? undefined : byKey.get(openKey);
  const selectedAssets = selected
    .map((k) => byKey.get(k))
    .filter((a): a is AssetNode => a !== undefined);
  // Selection is ours (the nodes are controlled): click selects one asset and opens its panel,
  // Shift/Ctrl/Cmd-click adds or removes it from the selection to materialize together.
  const onNodeClick: NodeMouseHandler = (e, node) => {
    if (node.type !== 'asset') return;
    if (e.shiftKey || e.metaKey || e.ctrlKey) {
      setSelected((prev) =>
        prev.includes(node.id) ? prev.filter((k) => k !== node.id) : [...prev, node.id],
      );
    } else {
      keys.openedByPointer();
      setSelected([node.id]);
      setOpenKey(node.id);
    }
  };
  const jump = () => {
    const hit = data?.nodes.find((n) => n.key.toLowerCase().includes(needle));
    if (hit) {
      setOpenKey(hit.key);
      flow.fitView({ nodes: [{ id: hit.key }], duration: 300, maxZoom: 1.2 });
    }
  };

  return (
    <div className="graph-page">
      <div className="toolbar">
        <input
          ref={searchRef}
          type="search"
          aria-label="Search assets"
          placeholder="Search assets ( / )"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && jump()}
        />
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            setParams(filterText.trim() === '' ? {} : { select: filterText.trim() });
          }}
        >
          <input
            aria-label="Selection filter"
            placeholder="Selection, e.g. +shop/daily_revenue or group:web"
            value={filterText}
            onChange={(e) => setFilterText(e.target.value)}
            className="wide"
          />
          <button type="submit">Filter</button>
        </form>
        <span className="muted" data-testid="graph-count">
          {data ? `${data.nodes.length.toLocaleString()} assets` : ''}
          {layout ? ` · ${layout.result.engine} layout ${layout.result.ms.toFixed(0)} ms` : ''}
        </span>
        <button
          type="button"
          disabled={selectedAssets.length === 0}
          onClick={() => setDialog(selectedAssets)}
        >
          Materialize selected ({selectedAssets.length})
        </button>
      </div>
      {graph.error && <ErrorState error={graph.error} retry={graph.reload} />}
      {!data ? (
        <Loading what="the asset graph" />
      ) : data.nodes.length === 0 ? (
        <Empty>
          {select
            ? `No asset matches the selection “${select}”.`
            : 'No assets: the definitions module defines none.'}
        </Empty>
      ) : !layout ? (
        <Loading what={`the layout of ${data.nodes.length.toLocaleString()} assets`} />
      ) : null}
      {/* biome-ignore lint/a11y/noStaticElementInteractions: keys reach this wrapper from the focusable nodes inside it */}
      <div className="graph-canvas" onKeyDown={keys.onCanvasKey}>
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          onNodeClick={onNodeClick}
          onPaneClick={() => setSelected([])}
          onlyRenderVisibleElements={data !== undefined && data.nodes.length > 100}
          minZoom={0.05}
          nodesConnectable={false}
          elementsSelectable={false}
          proOptions={{ hideAttribution: true }}
          colorMode="system"
          ariaLabelConfig={ARIA_LABELS}
        >
          <Background />
          <Controls />
          {data !== undefined && data.nodes.length <= LARGE_GRAPH && (
            <MiniMap
              pannable
              zoomable
              nodeClassName={(n) => (n.type === 'group' ? 'minimap-group' : '')}
            />
          )}
        </ReactFlow>
      </div>
      {open && (
        <GraphSidePanel
          ref={panelRef}
          asset={open}
          edges={data?.edges ?? []}
          failing={failing.get(open.key) ?? []}
          onClose={keys.closePanel}
          onMaterialize={() => setDialog([open])}
        />
      )}
      {dialog && <MaterializeDialog assets={dialog} onClose={() => setDialog(null)} />}
    </div>
  );
}
