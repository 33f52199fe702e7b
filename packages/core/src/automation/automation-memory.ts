import { CairnError } from '../errors.js';
import type { AssetSpace } from './asset-space.js';
import { PartitionSubset } from './partition-subset.js';

/** A subset as stored: a key list (`""` is the unpartitioned key) or an index range with exceptions. */
export type SerializedSubset =
  | string[]
  | { lo: number; hi: number; except: string[]; extra: string[] };

/** What one condition node remembers between ticks (`since`, `newlyTrue`, `newlyMissing`). */
export interface ConditionNodeMemory {
  /** The node's operator, so memory of a changed condition is not misread. */
  type: string;
  subset?: SerializedSubset;
  /** `newlyMissing`: the number of partitions at the previous tick. */
  count?: number;
}

/** What one asset's automation remembers between ticks. */
export interface AssetAutomationMemory {
  /** The code version at the previous tick (`null`: none), for `codeVersionChanged`. */
  codeVersion: string | null;
  /** The partitions the previous tick requested, for `newlyRequested`. */
  requested?: SerializedSubset;
  /** Memory of stateful condition nodes, by node path (`0.1` = second child of the first child). */
  nodes?: Record<string, ConditionNodeMemory>;
}

/** Everything an automation tick hands to the next one; plain JSON, persisted by the daemon. */
export interface AutomationMemory {
  version: 1;
  /** When the tick that produced it was evaluated (ISO). */
  evaluatedAt: string;
  /** The state reader's update cursor after that tick. */
  cursor: string | undefined;
  assets: Record<string, AssetAutomationMemory>;
}

/**
 * Validates memory read back from storage (a trust boundary). Throws CAIRN_INVALID_OPTIONS naming
 * the first malformed field when it is not memory this version of Cairn wrote. Hand-written rather
 * than zod: it runs every tick over every automated asset (10,000 assets: ~1 ms instead of ~40 ms).
 */
export function parseAutomationMemory(input: unknown): AutomationMemory {
  const fail = (path: string, what: string): never => {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      `The previous automation memory is malformed at "${path}": ${what}. Pass the "memory" of the previous evaluateAutomation() result unchanged, or none to start afresh.`,
      { path },
    );
  };
  if (!isObject(input)) return fail('', 'expected an object');
  if (input.version !== 1) fail('version', `expected 1, got ${JSON.stringify(input.version)}`);
  if (typeof input.evaluatedAt !== 'string' || Number.isNaN(Date.parse(input.evaluatedAt)))
    fail('evaluatedAt', 'expected an ISO date-time');
  if (input.cursor !== undefined && typeof input.cursor !== 'string')
    fail('cursor', 'expected a string');
  if (!isObject(input.assets)) return fail('assets', 'expected an object');
  for (const [key, m] of Object.entries(input.assets)) {
    const at = `assets.${key}`;
    if (!isObject(m)) fail(at, 'expected an object');
    const a = m as Record<string, unknown>;
    if (a.codeVersion !== null && typeof a.codeVersion !== 'string')
      fail(`${at}.codeVersion`, 'expected a string or null');
    if (a.requested !== undefined && !isSubset(a.requested))
      fail(`${at}.requested`, 'expected a subset');
    if (a.nodes === undefined) continue;
    if (!isObject(a.nodes)) fail(`${at}.nodes`, 'expected an object');
    for (const [path, n] of Object.entries(a.nodes as object)) {
      const ok =
        isObject(n) &&
        typeof n.type === 'string' &&
        (n.subset === undefined || isSubset(n.subset)) &&
        (n.count === undefined || (Number.isInteger(n.count) && (n.count as number) >= 0));
      if (!ok) fail(`${at}.nodes.${path}`, 'expected { type, subset?, count? }');
    }
  }
  return input as unknown as AutomationMemory;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isStrings(x: unknown): boolean {
  return Array.isArray(x) && x.every((k) => typeof k === 'string');
}

function isSubset(x: unknown): boolean {
  if (Array.isArray(x)) return isStrings(x);
  return (
    isObject(x) &&
    Number.isInteger(x.lo) &&
    Number.isInteger(x.hi) &&
    isStrings(x.except) &&
    isStrings(x.extra)
  );
}

/** Ranges wider than this are stored as ranges; smaller subsets as key lists. */
const KEY_LIST_LIMIT = 1000;

/** Stores a subset. */
export function serializeSubset(subset: PartitionSubset): SerializedSubset {
  if (subset.size <= KEY_LIST_LIMIT || subset.hi <= subset.lo) return subset.toArray();
  return { lo: subset.lo, hi: subset.hi, except: [...subset.except], extra: [...subset.extra] };
}

/** Reads a stored subset back for an asset's partitions at this tick (keys no longer partitions drop out). */
export function deserializeSubset(
  space: AssetSpace,
  stored: SerializedSubset | undefined,
): PartitionSubset {
  if (stored === undefined) return PartitionSubset.empty(space);
  if (Array.isArray(stored)) return PartitionSubset.of(space, stored);
  const range = PartitionSubset.range(space, stored.lo, stored.hi);
  return range
    .minus(PartitionSubset.of(space, stored.except))
    .union(PartitionSubset.of(space, stored.extra));
}
