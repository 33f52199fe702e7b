import type { AnyAssetCheckDefinition } from '../checks/asset-check.js';
import type { Definitions } from '../definitions-types.js';
import type { IOManager } from '../io/io-manager.js';
import type { ResourceDefinition } from '../resource.js';
import type { Clock } from './clock.js';
import type { RunEvent } from './events.js';
import type { RunHistory } from './run-history.js';

/** What the step and check runners share for one run; the engine implements it. */
export interface RunState {
  readonly defs: Definitions;
  readonly runId: string;
  readonly clock: Clock;
  /** The run's signal (never aborted when the run cannot be cancelled). */
  readonly runSignal: AbortSignal;
  /** Rejects with CAIRN_RUN_ABORTED when the run is cancelled; undefined when it cannot be. */
  readonly runAborted: Promise<never> | undefined;
  /** This run's materializations over the history given to the run. */
  readonly history: RunHistory;
  /** Parsed run config per plan node. */
  readonly config: ReadonlyMap<string, unknown>;
  /** Source of randomness for retry jitter. */
  readonly random: () => number;
  /** Sends one event to the run's listener. */
  emit(event: RunEvent): void;
  /** The current instant as an ISO string. */
  timestamp(): string;
  /** The IO manager of an asset (by its `io` name). */
  ioManagerFor(assetKey: string): IOManager;
  /** The set-up values of the resources a definition declared, by name. */
  resourcesOf(
    declared: Readonly<Record<string, ResourceDefinition<any, any>>>,
  ): Record<string, unknown>;
  /** A check by id. */
  check(id: string): AnyAssetCheckDefinition;
  /** Called with each computed value (materialize() keeps them for `values.get`). */
  readonly onValue:
    | ((assetKey: string, partitionKey: string | undefined, value: unknown) => void)
    | undefined;
}
