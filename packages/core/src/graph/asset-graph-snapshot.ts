import type { PartitionsSnapshot } from '../partitions/partitions-definition.js';

/** One asset in a graph snapshot. Absent optional facts are `null` so the JSON keeps every field. */
export interface AssetNodeSnapshot {
  key: string;
  group: string;
  kinds: string[];
  tags: Record<string, string>;
  owners: string[];
  description: string | null;
  partitions: PartitionsSnapshot | null;
  codeVersion: string | null;
  external: boolean;
  /** Names of the checks on this asset, sorted. */
  checks: string[];
}

/** One dependency in a graph snapshot, with its mapping's `describe()`. */
export interface AssetEdgeSnapshot {
  from: string;
  to: string;
  mapping: Record<string, unknown> & { type: string };
}

/** A JSON-serializable description of an asset graph, for the daemon, API and UI. */
export interface AssetGraphSnapshot {
  /** Nodes in stable topological order. */
  nodes: AssetNodeSnapshot[];
  /** Edges grouped by downstream node in topological order. */
  edges: AssetEdgeSnapshot[];
}
