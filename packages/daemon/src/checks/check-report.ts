import type { CheckEvaluation } from './run-stored-checks.js';

/** The lowest severity of a failed check that fails the command: `warn` fails on any failed check. */
export type FailOn = 'warn' | 'error';

/** The failed evaluations at or above the threshold (what makes `cairn check` exit 1). */
export function failuresAtOrAbove(
  evaluations: readonly CheckEvaluation[],
  failOn: FailOn,
): CheckEvaluation[] {
  return evaluations.filter((e) => !e.passed && (failOn === 'warn' || e.severity === 'error'));
}

/** Counts of a list of evaluations. */
export interface CheckCounts {
  total: number;
  passed: number;
  failedError: number;
  failedWarn: number;
}

/** Counts evaluations by outcome. */
export function countEvaluations(evaluations: readonly CheckEvaluation[]): CheckCounts {
  const c: CheckCounts = { total: evaluations.length, passed: 0, failedError: 0, failedWarn: 0 };
  for (const e of evaluations) {
    if (e.passed) c.passed++;
    else if (e.severity === 'error') c.failedError++;
    else c.failedWarn++;
  }
  return c;
}

function outcome(e: CheckEvaluation): string {
  return e.passed ? 'passed' : `FAILED (${e.severity}${e.blocking ? ', blocking' : ''})`;
}

/** A plain-text table: one row per check × partition, then the counts. */
export function summaryTable(evaluations: readonly CheckEvaluation[]): string[] {
  const rows = evaluations.map((e) => [
    e.checkId,
    e.partitionKey ?? '-',
    outcome(e),
    e.passed ? '' : (e.description ?? ''),
  ]);
  const head = ['check', 'partition', 'result', 'description'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const c = countEvaluations(evaluations);
  return [
    line(head),
    ...rows.map(line),
    `${c.total} checks: ${c.passed} passed, ${c.failedError} failed with severity error, ${c.failedWarn} failed with severity warn.`,
  ];
}

/** Escapes text for XML attribute values and text nodes (and drops characters XML 1.0 forbids). */
export function xmlEscape(text: string): string {
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 forbids these characters.
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

/**
 * JUnit XML that CI systems display: one `<testsuite>` per asset, one `<testcase>` per check ×
 * partition, a `<failure>` (type = severity) for each failed check. Warn failures are failures
 * too, so the report shows them; whether they fail the build is the exit code's business.
 */
export function junitXml(evaluations: readonly CheckEvaluation[]): string {
  const byAsset = new Map<string, CheckEvaluation[]>();
  for (const e of evaluations) {
    const list = byAsset.get(e.assetKey) ?? [];
    list.push(e);
    byAsset.set(e.assetKey, list);
  }
  const c = countEvaluations(evaluations);
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const total = evaluations.reduce((s, e) => s + e.durationMs, 0);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="cairn check" tests="${c.total}" failures="${c.failedError + c.failedWarn}" errors="0" time="${seconds(total)}">`,
  ];
  for (const [assetKey, list] of byAsset) {
    const lc = countEvaluations(list);
    const time = list.reduce((s, e) => s + e.durationMs, 0);
    out.push(
      `  <testsuite name="${xmlEscape(assetKey)}" tests="${lc.total}" failures="${lc.failedError + lc.failedWarn}" errors="0" skipped="0" time="${seconds(time)}">`,
    );
    for (const e of list) {
      const name = e.partitionKey === undefined ? e.checkName : `${e.checkName}[${e.partitionKey}]`;
      const open = `    <testcase classname="${xmlEscape(assetKey)}" name="${xmlEscape(name)}" time="${seconds(e.durationMs)}"`;
      if (e.passed) {
        out.push(`${open}/>`);
        continue;
      }
      const message = e.description ?? `check ${e.checkId} failed`;
      const body = JSON.stringify(e.metadata, null, 2);
      out.push(
        `${open}>`,
        `      <failure type="${e.severity}" message="${xmlEscape(`[${e.severity}${e.blocking ? ', blocking' : ''}] ${message}`)}">${xmlEscape(body)}</failure>`,
        '    </testcase>',
      );
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}

// GitHub's workflow-command escaping: data escapes %, CR and LF; properties also : and ,.
function ghData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function ghProperty(s: string): string {
  return ghData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * GitHub Actions annotations for failed checks: `::error` for severity error, `::warning` for
 * warn, pointing at the definitions module (`file`, relative to the working directory).
 */
export function githubAnnotations(evaluations: readonly CheckEvaluation[], file: string): string[] {
  const lines: string[] = [];
  for (const e of evaluations) {
    if (e.passed) continue;
    const level = e.severity === 'error' ? 'error' : 'warning';
    const where = e.partitionKey === undefined ? e.checkId : `${e.checkId}[${e.partitionKey}]`;
    const title = `check ${where} failed`;
    const message = e.description ?? `check ${e.checkId} failed`;
    lines.push(
      `::${level} file=${ghProperty(file)},title=${ghProperty(title)}::${ghData(`${where}: ${message}`)}`,
    );
  }
  return lines;
}
