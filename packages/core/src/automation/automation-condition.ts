import type { AutomationConditionLike } from '../asset-types.js';
import { CairnError } from '../errors.js';

/** The operators a condition can be made of: composites and the operands they combine. */
export type AutomationConditionType =
  | 'and'
  | 'or'
  | 'not'
  | 'since'
  | 'newlyTrue'
  | 'inLatestTimeWindow'
  | 'missing'
  | 'newlyMissing'
  | 'stale'
  | 'inProgress'
  | 'failed'
  | 'newlyUpdated'
  | 'newlyRequested'
  | 'initialEvaluation'
  | 'codeVersionChanged'
  | 'cronTickPassed'
  | 'anyDepsUpdated'
  | 'anyDepsMissing'
  | 'anyDepsInProgress'
  | 'anyDepsFailed'
  | 'allDepsBlockingChecksPassed'
  | 'allDepsUpdatedSinceCron';

/** JSON parameters of an operand (a cron, a look-back); empty for most. */
export type ConditionParams = Readonly<Record<string, string | number | undefined>>;

/** The serializable form of a condition, for memory, the API and the UI. */
export interface AutomationConditionDescription {
  type: AutomationConditionType;
  /** The label given with `withLabel()` (e.g. `eager`), else undefined. */
  label: string | undefined;
  /** The operand's parameters. */
  params: Record<string, string | number | undefined>;
  /** Sub-conditions, in order; for `since`: the trigger then the reset. */
  children: AutomationConditionDescription[];
}

const BRAND = Symbol.for('cairn.automationCondition');

/**
 * A declarative automation condition: immutable data that `evaluateAutomation()` evaluates per
 * asset partition each tick. Build them with `AutomationCondition.*` / `eager()` and compose them
 * with `and`, `or`, `not`, `since`, `newlyTrue`; the composition is the same as Dagster's.
 */
export interface AutomationCondition extends AutomationConditionLike {
  readonly type: AutomationConditionType;
  /** The label given with `withLabel()`, else undefined. */
  readonly label: string | undefined;
  readonly params: ConditionParams;
  readonly children: readonly AutomationCondition[];
  /** True for partitions where this and every `other` is true. */
  and(...others: AutomationCondition[]): AutomationCondition;
  /** True for partitions where this or any `other` is true. */
  or(...others: AutomationCondition[]): AutomationCondition;
  /** True where this is false. */
  not(): AutomationCondition;
  /** True from a tick where this was true until a tick where `reset` is true (reset wins a tie). */
  since(reset: AutomationCondition): AutomationCondition;
  /** `since(newlyRequested().or(newlyUpdated()))`: true until the partition is requested or updated. */
  sinceLastHandled(): AutomationCondition;
  /** True on the tick where this turns from false to true. */
  newlyTrue(): AutomationCondition;
  /** The same condition shown as `label` in reasons and the UI. */
  withLabel(label: string): AutomationCondition;
  /** The serializable tree. */
  describe(): AutomationConditionDescription;
  /** A one-line form, e.g. `(inLatestTimeWindow & !anyDepsMissing)`, or the label. */
  toString(): string;
}

/**
 * The one-line form of a composite (`and`, `or`, `not`, `since`, `newlyTrue`) from its children's
 * one-line forms, e.g. `(missing & !inProgress)`; undefined for an operand.
 */
export function composedLabel(type: string, children: readonly string[]): string | undefined {
  switch (type) {
    case 'and':
      return `(${children.join(' & ')})`;
    case 'or':
      return `(${children.join(' | ')})`;
    case 'not':
      return `!${children[0]}`;
    case 'since':
      return `(${children[0]} since ${children[1]})`;
    case 'newlyTrue':
      return `newlyTrue(${children[0]})`;
    default:
      return undefined;
  }
}

/** `toString()` of each condition, built once (every decision of every tick names its condition). */
const texts = new WeakMap<AutomationCondition, string>();

class Node implements AutomationCondition {
  readonly [BRAND] = true;
  constructor(
    readonly type: AutomationConditionType,
    readonly params: ConditionParams,
    readonly children: readonly AutomationCondition[],
    readonly label: string | undefined,
  ) {
    Object.freeze(this);
  }
  and(...others: AutomationCondition[]): AutomationCondition {
    return and(this, ...others);
  }
  or(...others: AutomationCondition[]): AutomationCondition {
    return or(this, ...others);
  }
  not(): AutomationCondition {
    return not(this);
  }
  since(reset: AutomationCondition): AutomationCondition {
    return since(this, reset);
  }
  sinceLastHandled(): AutomationCondition {
    return since(
      this,
      or(condition('newlyRequested'), condition('newlyUpdated')).withLabel('handled'),
    );
  }
  newlyTrue(): AutomationCondition {
    return condition('newlyTrue', {}, [assertCondition(this, 'newlyTrue')]);
  }
  withLabel(label: string): AutomationCondition {
    if (typeof label !== 'string' || label.trim() === '') {
      throw new CairnError(
        'CAIRN_INVALID_OPTIONS',
        `withLabel() needs a non-empty string, got ${JSON.stringify(label)}.`,
        { label },
      );
    }
    return new Node(this.type, this.params, this.children, label);
  }
  describe(): AutomationConditionDescription {
    return {
      type: this.type,
      label: this.label,
      params: { ...this.params },
      children: this.children.map((c) => c.describe()),
    };
  }
  toString(): string {
    if (this.label !== undefined) return this.label;
    let text = texts.get(this);
    if (text === undefined) {
      text = this.#text();
      texts.set(this, text);
    }
    return text;
  }
  #text(): string {
    const composed = composedLabel(this.type, this.children.map(String));
    if (composed !== undefined) return composed;
    const args = Object.values(this.params).filter((v) => v !== undefined);
    return args.length === 0 ? this.type : `${this.type}(${args.join(', ')})`;
  }
}

/** True when `x` is a condition built by Cairn's automation factories. */
export function isAutomationCondition(x: unknown): x is AutomationCondition {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[BRAND] === true;
}

function assertCondition(x: unknown, where: string): AutomationCondition {
  if (!isAutomationCondition(x)) {
    throw new CairnError(
      'CAIRN_INVALID_OPTIONS',
      `${where}() was given ${x === null ? 'null' : typeof x}, not an automation condition; build conditions with AutomationCondition.* such as AutomationCondition.missing().`,
      { where },
    );
  }
  return x;
}

/** Creates a condition node (internal: users build them through the named factories). */
export function condition(
  type: AutomationConditionType,
  params: ConditionParams = {},
  children: readonly AutomationCondition[] = [],
): AutomationCondition {
  return new Node(type, Object.freeze({ ...params }), Object.freeze([...children]), undefined);
}

function composite(
  type: 'and' | 'or',
  conditions: readonly AutomationCondition[],
): AutomationCondition {
  if (conditions.length === 0) {
    throw new CairnError('CAIRN_INVALID_OPTIONS', `${type}() needs at least one condition.`, {});
  }
  const flat: AutomationCondition[] = [];
  for (const c of conditions) {
    assertCondition(c, type);
    // Unlabelled nested and/or of the same kind flatten, so reasons read as one list.
    if (c.type === type && c.label === undefined) flat.push(...c.children);
    else flat.push(c);
  }
  return flat.length === 1 ? flat[0]! : condition(type, {}, flat);
}

/** True for partitions where every condition is true; later ones are only evaluated where earlier ones hold, so put cheap narrowing conditions first. */
export function and(...conditions: AutomationCondition[]): AutomationCondition {
  return composite('and', conditions);
}

/** True for partitions where any condition is true. */
export function or(...conditions: AutomationCondition[]): AutomationCondition {
  return composite('or', conditions);
}

/** True where `c` is false. */
export function not(c: AutomationCondition): AutomationCondition {
  return condition('not', {}, [assertCondition(c, 'not')]);
}

/**
 * True from the tick where `trigger` became true until a tick where `reset` is true; when both are
 * true on one tick, reset wins. Remembers its state between ticks (in the evaluation memory).
 */
export function since(
  trigger: AutomationCondition,
  reset: AutomationCondition,
): AutomationCondition {
  return condition('since', {}, [
    assertCondition(trigger, 'since'),
    assertCondition(reset, 'since'),
  ]);
}
