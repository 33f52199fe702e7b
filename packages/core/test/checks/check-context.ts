import type {
  AnyAssetCheckDefinition,
  CheckContext,
  CheckResult,
} from '../../src/checks/asset-check.js';
import type { TimeWindow } from '../../src/partitions/partitions-definition.js';
import type { MemoryStalenessReader } from '../../src/versioning/staleness-reader.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** Runs a check the way the engine does: with a context built from a history reader and a fixed now. */
export async function runCheck(
  check: AnyAssetCheckDefinition,
  history: MemoryStalenessReader,
  at: { now: Date; partitionKey?: string; partitionTimeWindow?: TimeWindow },
): Promise<CheckResult> {
  const ctx: CheckContext = {
    assetKey: check.assetKey,
    checkName: check.name,
    partitionKey: at.partitionKey,
    partitionTimeWindow: at.partitionTimeWindow,
    loadValue: async () => {
      throw new Error('these checks must not load the value');
    },
    history,
    now: at.now,
    resources: {},
    log: quiet,
    signal: new AbortController().signal,
    runId: 'check-run',
  };
  return check.fn(ctx);
}
