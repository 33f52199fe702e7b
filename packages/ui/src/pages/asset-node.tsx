import { Handle, type Node, type NodeHandle, type NodeProps, Position } from '@xyflow/react';
import { memo } from 'react';
import type { AssetNode } from '../api/api-types.js';
import { HealthStrip } from '../components/health-bar.js';
import { assetStatusWord, compact } from '../lib/asset-status.js';

/** Data of an asset node on the graph. */
export type AssetNodeData = {
  asset: AssetNode;
  failing: string[];
  dimmed: boolean;
  picked: boolean;
};

/** A React Flow node carrying an asset. */
export type AssetFlowNode = Node<AssetNodeData, 'asset'>;

/** A group's background box. */
export type GroupFlowNode = Node<{ label: string }, 'group'>;

/** Node size in px (the layout reserves exactly this). */
export const NODE_WIDTH = 230;
export const NODE_HEIGHT = 100;

/**
 * Where the two handles of an asset node are (edges in on the left, out on the right, mid-height),
 * given up front so React Flow does not have to draw a node to measure them.
 */
export const ASSET_HANDLES: NodeHandle[] = [
  { type: 'target', position: Position.Left, x: 0, y: NODE_HEIGHT / 2, width: 1, height: 1 },
  {
    type: 'source',
    position: Position.Right,
    x: NODE_WIDTH,
    y: NODE_HEIGHT / 2,
    width: 1,
    height: 1,
  },
];

/** An asset on the lineage graph: key, kinds, status by colour and word, health strip, failing checks. */
export const AssetNodeView = memo(function AssetNodeView({ data }: NodeProps<AssetFlowNode>) {
  const { asset, failing, dimmed, picked } = data;
  const word = assetStatusWord(asset.status);
  const s = asset.status;
  const parts = asset.partitions === null ? null : `${compact(s.materialized)}/${compact(s.total)}`;
  return (
    <div
      className={`asset-node status-${word}${picked ? ' selected' : ''}${dimmed ? ' dimmed' : ''}`}
      data-testid={`asset-node-${asset.key}`}
      data-status={word}
      title={asset.description ?? asset.key}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div className="asset-node-key">{asset.key}</div>
      <div className="asset-node-meta">
        <span className={`badge status-${word}`}>{word}</span>
        {parts && <span className="muted">{parts}</span>}
        {failing.length > 0 && (
          <span className="badge check-failed" title={`Failing checks: ${failing.join(', ')}`}>
            ✕ {failing.length} check{failing.length === 1 ? '' : 's'}
          </span>
        )}
      </div>
      <div className="asset-node-meta">
        {asset.kinds.map((k) => (
          <span key={k} className="kind">
            {k}
          </span>
        ))}
        {asset.partitions === null && <span className="muted small">not partitioned</span>}
      </div>
      <HealthStrip counts={s} width={NODE_WIDTH - 20} />
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
});

/** A group's labelled background. */
export function GroupNodeView({ data }: NodeProps<GroupFlowNode>) {
  return (
    <div className="group-node">
      <span className="group-label">{data.label}</span>
    </div>
  );
}
