import {
  type AssetAutomationEvaluation,
  type AutomationDecision,
  type ConditionEvaluationNode,
  composedLabel,
  decisionText,
} from '@cairn/core';

/**
 * The stored form of one asset's evaluation (`automation_evaluations.evaluation`), about a quarter
 * of the JSON the API returns: a tick that requests 540 eager assets stored 1.5 MB as plain JSON
 * (~2.9 KB each, half of it the same condition tree with the same labels), which made storing the
 * evaluations cost as much as evaluating them.
 *
 * - Decisions keep their partition key and reasons; the sentence (`text`) is rebuilt on read,
 *   and stored only when it is not the one `decisionText` builds.
 * - The tree is nested arrays `[type, candidateCount, trueCount, skipped, children, label?]`;
 *   a label is stored only when it is not the one derived from the type and the children's
 *   labels (core's `composedLabel`; an operand's is its type): `eager`, `handled` and operands
 *   with parameters keep theirs.
 *   Decoding applies the same derivation to the same children, so the round trip is exact.
 *
 * Rows written before this form (plain JSON, no `v`) are read as they are.
 */
interface StoredDecision {
  /** Partition key (absent: unpartitioned). */
  k?: string;
  r: string[];
  /** The sentence, when it is not the derived one. */
  t?: string;
}

type StoredNode = [string, number, number, 0 | 1, StoredNode[], string?];

interface StoredEvaluation {
  v: 2;
  c: string;
  r: StoredDecision[];
  n: StoredDecision[];
  nc: number;
  t?: StoredNode;
}

/** The label a node gets from its type and its children's labels (an operand's is its type). */
function derivedLabel(type: string, kids: readonly string[]): string {
  return composedLabel(type, kids) ?? type;
}

function encodeNode(n: ConditionEvaluationNode): StoredNode {
  const kids = n.children.map(encodeNode);
  const out: StoredNode = [n.type, n.candidateCount, n.trueCount, n.skipped ? 1 : 0, kids];
  const derived = derivedLabel(
    n.type,
    n.children.map((c) => c.label),
  );
  if (n.label !== derived) out.push(n.label);
  return out;
}

function decodeNode(s: StoredNode): ConditionEvaluationNode {
  const children = s[4].map(decodeNode);
  return {
    skipped: s[3] === 1,
    label:
      s[5] ??
      derivedLabel(
        s[0],
        children.map((c) => c.label),
      ),
    type: s[0],
    candidateCount: s[1],
    trueCount: s[2],
    children,
  };
}

function encodeDecision(d: AutomationDecision, condition: string): StoredDecision {
  const out: StoredDecision = { r: d.reasons };
  if (d.partitionKey !== undefined) out.k = d.partitionKey;
  if (d.text !== decisionText(d.assetKey, d.partitionKey, d.requested, condition, d.reasons))
    out.t = d.text;
  return out;
}

function decodeDecision(
  s: StoredDecision,
  assetKey: string,
  requested: boolean,
  condition: string,
): AutomationDecision {
  return {
    assetKey,
    partitionKey: s.k,
    requested,
    reasons: s.r,
    text: s.t ?? decisionText(assetKey, s.k, requested, condition, s.r),
  };
}

/** The stored JSON of an evaluation and its condition tree. */
export function encodeEvaluation(
  e: AssetAutomationEvaluation,
  tree: ConditionEvaluationNode | undefined,
): string {
  const out: StoredEvaluation = {
    v: 2,
    c: e.condition,
    r: e.requested.map((d) => encodeDecision(d, e.condition)),
    n: e.notRequested.map((d) => encodeDecision(d, e.condition)),
    nc: e.notRequestedCount,
  };
  if (tree !== undefined) out.t = encodeNode(tree);
  return JSON.stringify(out);
}

/** An evaluation and its tree from the stored JSON (either form); `assetKey` is the row's. */
export function decodeEvaluation(
  json: string,
  assetKey: string,
): AssetAutomationEvaluation & { tree: ConditionEvaluationNode | undefined } {
  const parsed = JSON.parse(json) as
    | StoredEvaluation
    | (AssetAutomationEvaluation & { tree: ConditionEvaluationNode | undefined });
  if (!('v' in parsed)) return parsed;
  return {
    assetKey,
    condition: parsed.c,
    requested: parsed.r.map((d) => decodeDecision(d, assetKey, true, parsed.c)),
    notRequested: parsed.n.map((d) => decodeDecision(d, assetKey, false, parsed.c)),
    notRequestedCount: parsed.nc,
    tree: parsed.t === undefined ? undefined : decodeNode(parsed.t),
  };
}
