import type { AutomationMemory, AutomationResult } from '../../src/automation/index.js';
import { evaluateAutomation, type MemoryAutomationState } from '../../src/automation/index.js';
import type { Definitions } from '../../src/definitions-types.js';

/** Runs ticks in sequence, carrying the memory from one to the next. */
export class Ticker {
  memory: AutomationMemory | undefined;
  constructor(
    readonly defs: Definitions,
    readonly state: MemoryAutomationState,
    readonly options: { lookback?: { days?: number }; maxRunsPerTick?: number } = {},
  ) {}

  tick(now: string | Date): AutomationResult {
    const result = evaluateAutomation(this.defs, this.state, {
      now: typeof now === 'string' ? new Date(now) : now,
      previous: this.memory,
      ...this.options,
    });
    this.memory = result.memory;
    return result;
  }
}

/** `asset key[partition]` of every run, for compact assertions. */
export function runs(result: AutomationResult): string[][] {
  return result.runRequests.map((r) =>
    r.assetKeys.map((k) => (r.partitionKey === undefined ? k : `${k}[${r.partitionKey}]`)),
  );
}

/** The decision of one asset partition, or undefined. */
export function decision(result: AutomationResult, assetKey: string, partitionKey?: string) {
  const a = result.assets.find((x) => x.assetKey === assetKey);
  return [...(a?.requested ?? []), ...(a?.notRequested ?? [])].find(
    (d) => d.partitionKey === partitionKey,
  );
}
