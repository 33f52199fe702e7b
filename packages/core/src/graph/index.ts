export type { AssetGraphEdge, AssetGraphNode, AssetGraphOptions } from './asset-graph.js';
export { AssetGraph } from './asset-graph.js';
export type {
  AssetEdgeSnapshot,
  AssetGraphSnapshot,
  AssetNodeSnapshot,
} from './asset-graph-snapshot.js';
export { closeMatches, levenshtein } from './close-matches.js';
