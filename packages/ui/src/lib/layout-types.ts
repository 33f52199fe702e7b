/** Messages between the page and the layout worker. */

/** What the worker lays out. */
export interface LayoutInput {
  nodes: { id: string; group: string }[];
  edges: { from: string; to: string }[];
  /** Node box size in px. */
  nodeWidth: number;
  nodeHeight: number;
  /** Use ELK up to this many nodes, the linear banded layout above (ELK is superlinear). */
  elkMaxNodes: number;
}

/** A positioned box (top-left corner). */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What the worker answers. */
export interface LayoutResult {
  /** Absolute positions of the nodes. */
  positions: Record<string, { x: number; y: number }>;
  /** Bounding box of each group (drawn behind its nodes). */
  groups: Record<string, Box>;
  /** Which engine laid it out. */
  engine: 'elk' | 'banded';
  ms: number;
}
