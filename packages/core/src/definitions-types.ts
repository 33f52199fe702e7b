import type { AnyAssetDefinition } from './asset-types.js';
import type { AnyAssetCheckDefinition } from './checks/asset-check.js';
import type { AssetGraph } from './graph/asset-graph.js';
import type { IOManager } from './io/io-manager.js';
import type { PartitionMapping } from './mappings/partition-mapping.js';
import type { ResourceDefinition } from './resource.js';

/** A schedule or sensor as `definitions()` keeps it (see `schedule()`, `sensor()`). */
export interface NamedDefinition {
  readonly name: string;
  /** Called once the assets are validated: throws when the schedule or sensor does not fit them (unknown or mixed targets). */
  validate?(defs: Definitions): void;
}

/** What a user's module passes to `definitions()`. */
export interface DefinitionsInput {
  /** Asset handles (from asset, multiAsset outputs, externalAsset, assetsOf). Arrays are flattened. */
  assets?: readonly (
    | AnyAssetDefinition
    | readonly AnyAssetDefinition[]
    | Record<string, AnyAssetDefinition>
  )[];
  /** Asset checks. */
  checks?: readonly AnyAssetCheckDefinition[];
  /** Schedules (validated for unique names). */
  schedules?: readonly NamedDefinition[];
  /** Sensors (validated for unique names). */
  sensors?: readonly NamedDefinition[];
  /** Resources by name: a ResourceDefinition, or a plain value used as it is. */
  resources?: Readonly<Record<string, ResourceDefinition<any, any> | unknown>>;
  /** IO managers by name; `default` is the in-memory one unless given. */
  ioManagers?: Readonly<Record<string, IOManager>>;
}

/** The validated, frozen definitions of a code location. */
export interface Definitions {
  readonly kind: 'definitions';
  /** Assets by key, in stable topological order. */
  readonly assets: ReadonlyMap<string, AnyAssetDefinition>;
  /** Checks by id (`asset_key:name`). */
  readonly checks: ReadonlyMap<string, AnyAssetCheckDefinition>;
  /** Checks of each asset key (absent when none). */
  readonly checksByAsset: ReadonlyMap<string, readonly AnyAssetCheckDefinition[]>;
  /** The lineage graph. */
  readonly graph: AssetGraph;
  readonly schedules: readonly NamedDefinition[];
  readonly sensors: readonly NamedDefinition[];
  /** Resources by name, every plain value wrapped as a ResourceDefinition. */
  readonly resources: Readonly<Record<string, ResourceDefinition<any, any>>>;
  /** IO managers by name (always has `default`). */
  readonly ioManagers: Readonly<Record<string, IOManager>>;
  /** The asset with this key; throws CAIRN_UNKNOWN_ASSET naming close matches. */
  asset(key: string): AnyAssetDefinition;
  /**
   * The mapping on the edge upstream → downstream (explicit, else inferred), resolved once at build
   * time. When the downstream asset reads the upstream under several input names, `inputName`
   * picks one (default: the first declared).
   */
  mapping(downstreamKey: string, upstreamKey: string, inputName?: string): PartitionMapping;
  /** Keys matched by a selection string, in topological order. */
  select(selection: string): string[];
}
