import { describe, expect, it } from 'vitest';
import { asset } from '../../src/asset.js';
import { definitions } from '../../src/definitions.js';
import { isCairnError } from '../../src/errors.js';
import { dynamicPartitions } from '../../src/partitions/index.js';
import { assetSensor, evaluateSensor, runStatusSensor, sensor } from '../../src/schedules/index.js';

const files = dynamicPartitions('files');
const raw = asset({ key: 'raw_files', partitions: files }, () => 1);
const report = asset({ key: 'report' }, () => 2);
const now = new Date('2024-03-02T10:00:00Z');

async function rejection(p: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

describe('sensor()', () => {
  it('passes the cursor and returns run requests, the new cursor and dynamic partitions to add', async () => {
    const seen: (string | undefined)[] = [];
    const s = sensor({
      name: 'new_files',
      target: [raw],
      fn: ({ cursor }) => {
        seen.push(cursor);
        return {
          runRequests: [{ partitionKey: 'f2.csv', runKey: 'f2.csv' }],
          cursor: 'f2.csv',
          dynamicPartitions: { add: { files: ['f2.csv'] } },
        };
      },
    });
    const defs = definitions({ assets: [raw, report], sensors: [s] });
    const ev = await evaluateSensor(defs, s, {
      now,
      cursor: 'f1.csv',
      dynamic: { getDynamicPartitionKeys: () => ['f1.csv'] },
    });
    expect(seen).toEqual(['f1.csv']);
    expect(ev).toEqual({
      sensorName: 'new_files',
      status: 'requested',
      runRequests: [
        {
          runKey: 'f2.csv',
          assetKeys: ['raw_files'],
          partitionKey: 'f2.csv',
          tags: { 'cairn/sensor': 'new_files' },
        },
      ],
      cursor: 'f2.csv',
      dynamicPartitions: { add: { files: ['f2.csv'] }, remove: {} },
      skipReason: undefined,
    });
  });

  it('keeps the cursor and reports the skip reason when nothing is requested', async () => {
    const s = sensor({ name: 'quiet', fn: () => ({ skipReason: 'no new files' }) });
    const ev = await evaluateSensor(definitions({ assets: [report] }), s, { now, cursor: 'c7' });
    expect(ev.status).toBe('skipped');
    expect(ev.cursor).toBe('c7');
    expect(ev.skipReason).toBe('no new files');
  });

  it.each([
    [
      {
        runRequests: [
          { selection: 'report', runKey: 'k' },
          { selection: 'report', runKey: 'k' },
        ],
      },
      'repeats run key "k"',
    ],
    [
      { runRequests: [{ selection: 'raw_files', partitionKey: 'unknown.csv' }] },
      '"unknown.csv", which is not a partition',
    ],
    [{ runRequests: [{ selection: 'raw_files' }] }, 'without "partitionKey"'],
    [{ runRequests: [{ selection: 'report', partitionKey: 'x' }] }, 'are not partitioned'],
    [{ runRequests: [{ partitionKey: 'x' }] }, 'has no "selection" and the sensor has no "target"'],
    [
      { dynamicPartitions: { add: { flies: ['a'] } } },
      'dynamic partitions "flies" are used by no asset (known: "files")',
    ],
    [{ runRequests: [{ selection: 'reprot' }] }, 'reprot'],
    [{ runRequests: 'all' }, 'at "runRequests"'],
    [{ cursor: 3 }, 'at "cursor"'],
  ])('rejects an invalid result %#', async (result, message) => {
    const s = sensor({ name: 'bad', fn: () => result as never });
    const err = await rejection(evaluateSensor(definitions({ assets: [raw, report] }), s, { now }));
    expect(err.code).toBe('CAIRN_INVALID_SENSOR_RESULT');
    expect(err.message).toContain(message);
  });

  it('accepts a partition key added by the same result', async () => {
    const s = sensor({
      name: 'adds',
      fn: () => ({
        runRequests: [{ selection: 'raw_files', partitionKey: 'new.csv' }],
        dynamicPartitions: { add: { files: ['new.csv'] } },
      }),
    });
    const ev = await evaluateSensor(definitions({ assets: [raw] }), s, { now });
    expect(ev.runRequests[0]?.partitionKey).toBe('new.csv');
  });

  it('wraps an exception of the sensor function with the cause', async () => {
    const boom = new Error('bucket unreachable');
    const s = sensor({
      name: 'throws',
      fn: () => {
        throw boom;
      },
    });
    const err = await rejection(evaluateSensor(definitions({ assets: [report] }), s, { now }));
    expect(isCairnError(err, 'CAIRN_SENSOR_FAILED')).toBe(true);
    expect(err.message).toContain('bucket unreachable');
    expect(err.cause).toBe(boom);
  });

  it('validates options', () => {
    expect(() => sensor({ name: 's', intervalSeconds: 0, fn: () => undefined })).toThrow(
      /intervalSeconds 0/,
    );
    expect(() => sensor({ name: 's', fn: 3 as never })).toThrow(/needs a function/);
    expect(() =>
      definitions({
        assets: [report],
        sensors: [sensor({ name: 's', target: 'nope', fn: () => undefined })],
      }),
    ).toThrow(/nope/);
  });
});

describe('assetSensor() and runStatusSensor()', () => {
  it('calls an asset sensor with the new materializations of its asset only', async () => {
    const got: string[] = [];
    const s = assetSensor({
      name: 'on_report',
      asset: report,
      target: 'raw_files',
      fn: ({ materializations }) => {
        got.push(...materializations.map((m) => m.runId));
        return {
          runRequests: materializations.map((m) => ({ runKey: m.runId, partitionKey: 'a.csv' })),
          dynamicPartitions: { add: { files: ['a.csv'] } },
        };
      },
    });
    const defs = definitions({ assets: [raw, report], sensors: [s] });
    const m = (assetKey: string, runId: string) => ({
      assetKey,
      partitionKey: undefined,
      timestamp: now,
      metadata: {},
      dataVersion: 'v',
      codeVersion: undefined,
      runId,
    });
    const ev = await evaluateSensor(defs, s, {
      now,
      materializations: [m('report', 'r1'), m('raw_files', 'r2')],
    });
    expect(got).toEqual(['r1']);
    expect(ev.runRequests.map((r) => r.runKey)).toEqual(['r1']);
    const idle = await evaluateSensor(defs, s, { now, materializations: [] });
    expect(idle.skipReason).toBe('no new materialization of report');
  });

  it('calls a run-status sensor with the runs of its status', async () => {
    const s = runStatusSensor({
      name: 'failures',
      status: 'failure',
      fn: ({ runs }) => ({ skipReason: `paged for ${runs.map((r) => r.runId).join(',')}` }),
    });
    const defs = definitions({ assets: [report], sensors: [s] });
    const run = (runId: string, status: 'success' | 'failure') => ({
      runId,
      status,
      assetKeys: ['report'],
      partitionKey: undefined,
      finishedAt: now,
    });
    const ev = await evaluateSensor(defs, s, {
      now,
      runs: [run('a', 'success'), run('b', 'failure')],
    });
    expect(ev.skipReason).toBe('paged for b');
    expect((await evaluateSensor(defs, s, { now, runs: [run('a', 'success')] })).skipReason).toBe(
      'no run finished with status failure',
    );
    expect(() =>
      runStatusSensor({ name: 'x', status: 'done' as never, fn: () => undefined }),
    ).toThrow(/"done"/);
  });
});
