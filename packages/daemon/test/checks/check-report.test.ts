import { describe, expect, it } from 'vitest';
import {
  type CheckEvaluation,
  failuresAtOrAbove,
  githubAnnotations,
  junitXml,
  summaryTable,
} from '../../src/checks/index.js';
import { parseXml } from './xml-parse.js';

function evaluation(over: Partial<CheckEvaluation>): CheckEvaluation {
  return {
    assetKey: 'shop/orders',
    checkId: 'shop/orders:c',
    checkName: 'c',
    partitionKey: undefined,
    passed: true,
    severity: 'error',
    blocking: false,
    description: undefined,
    metadata: {},
    durationMs: 1.5,
    ...over,
  };
}

const nasty = 'a <b> & "c" \'d\'\nline two 100% sure, really: yes\u0001';
const evals: CheckEvaluation[] = [
  evaluation({ checkId: 'shop/orders:ok', checkName: 'ok' }),
  evaluation({
    checkId: 'shop/orders:warned',
    checkName: 'warned',
    passed: false,
    severity: 'warn',
  }),
  evaluation({
    checkId: 'shop/orders:bad',
    checkName: 'bad',
    passed: false,
    blocking: true,
    description: nasty,
    metadata: { sample: '<row & "x">' },
  }),
  evaluation({
    assetKey: 'daily',
    checkId: 'daily:rows',
    checkName: 'rows',
    partitionKey: '2024-01-01',
    passed: false,
  }),
];

describe('thresholds', () => {
  it('--fail-on error counts only failed checks of severity error, blocking or not', () => {
    expect(failuresAtOrAbove(evals, 'error').map((e) => e.checkId)).toEqual([
      'shop/orders:bad',
      'daily:rows',
    ]);
  });
  it('--fail-on warn counts every failed check', () => {
    expect(failuresAtOrAbove(evals, 'warn')).toHaveLength(3);
  });
  it('passing and warn-only results do not fail at the error threshold', () => {
    expect(failuresAtOrAbove(evals.slice(0, 2), 'error')).toEqual([]);
  });
});

describe('junitXml', () => {
  it('parses back: one suite per asset, one case per check × partition, failures with severity', () => {
    const root = parseXml(junitXml(evals));
    expect(root.name).toBe('testsuites');
    expect(root.attrs).toMatchObject({ tests: '4', failures: '3' });
    const suites = root.children;
    expect(suites.map((s) => s.attrs.name)).toEqual(['shop/orders', 'daily']);
    const [shop, daily] = suites;
    expect(shop!.children.map((c) => c.attrs.name)).toEqual(['ok', 'warned', 'bad']);
    expect(shop!.children[0]!.children).toEqual([]);
    const warned = shop!.children[1]!.children[0]!;
    expect(warned).toMatchObject({ name: 'failure', attrs: { type: 'warn' } });
    const bad = shop!.children[2]!.children[0]!;
    expect(bad.attrs.type).toBe('error');
    // The text survives the round trip, minus the control character XML 1.0 forbids.
    expect(bad.attrs.message).toBe(`[error, blocking] ${nasty.replace('\u0001', '')}`);
    expect(JSON.parse(bad.text)).toEqual({ sample: '<row & "x">' });
    expect(daily!.children[0]!.attrs.name).toBe('rows[2024-01-01]');
  });

  it('is a valid empty report without evaluations', () => {
    expect(parseXml(junitXml([]))).toMatchObject({ name: 'testsuites', attrs: { tests: '0' } });
  });
});

describe('githubAnnotations', () => {
  it('prints ::error for error severity and ::warning for warn, escaped, pointing at the file', () => {
    const lines = githubAnnotations(evals, 'src/defs.ts');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(
      '::warning file=src/defs.ts,title=check shop/orders%3Awarned failed::shop/orders:warned: check shop/orders:warned failed',
    );
    expect(lines[1]).toMatch(/^::error file=src\/defs.ts,title=check shop\/orders%3Abad failed::/);
    // Newlines and % are escaped, so one annotation stays one line.
    expect(lines[1]).toContain('%0Aline two 100%25 sure');
    expect(lines[1]).not.toContain('\n');
    expect(lines[2]).toContain('daily:rows[2024-01-01]');
  });
});

describe('summaryTable', () => {
  it('has a row per evaluation and the counts', () => {
    const lines = summaryTable(evals);
    expect(lines).toHaveLength(6);
    expect(lines[3]).toMatch(/shop\/orders:bad\s+-\s+FAILED \(error, blocking\)/);
    expect(lines[5]).toBe(
      '4 checks: 1 passed, 2 failed with severity error, 1 failed with severity warn.',
    );
  });
});
