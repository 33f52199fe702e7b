import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  asset,
  assetCheck,
  definitions,
  externalAsset,
  inputRef,
  materializeResult,
  staticPartitions,
} from '@cairn/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createDaemon, type Daemon } from '../../src/daemon.js';
import type { StoredMaterializationEvent } from '../../src/storage/index.js';
import { parseParentMessage } from '../../src/workers/worker-messages.js';
import { inProcessPool } from './in-process-pool.js';

const parts = staticPartitions(['p1', 'p2']);
const up = asset({ key: 'up', partitions: parts }, (_inputs, ctx) =>
  materializeResult(`up-${ctx.partitionKey}`, { metadata: { rows: 42 } }),
);
const down = asset({ key: 'down', partitions: parts, deps: { up } }, ({ up }) => `${up}!`);
const src = externalAsset({ key: 'src' });
const fromSrc = asset({ key: 'from_src', deps: [src] }, () => 1);
// Reads the upstream's latest materialization through ctx.history (an earlier run's).
const upSeen = assetCheck({ asset: down, name: 'up_seen' }, (ctx) => {
  const m = ctx.history.latestMaterialization('up', ctx.partitionKey);
  return {
    passed: m !== undefined,
    metadata: { upRows: Number(m?.metadata.rows ?? -1), upRunId: m?.runId ?? '' },
  };
});
const defs = definitions({ assets: [up, down, src, fromSrc], checks: [upSeen] });

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups) await c();
  cleanups = [];
});

async function setup(): Promise<Daemon> {
  const home = mkdtempSync(join(tmpdir(), 'cairn-upstream-'));
  const daemon = await createDaemon({
    definitions: defs,
    home,
    workerPool: inProcessPool(defs, home, 2),
  });
  cleanups.push(async () => {
    await daemon.stop();
    rmSync(home, { recursive: true, force: true });
  });
  return daemon;
}

async function run(
  daemon: Daemon,
  selection: string | string[],
  partitionKey?: string,
): Promise<string> {
  const { runId } = await daemon.submit({
    selection,
    ...(partitionKey === undefined ? {} : { partitionKey }),
  });
  expect((await daemon.waitForRun(runId)).status).toBe('success');
  return runId;
}

async function materializationOf(
  daemon: Daemon,
  runId: string,
  assetKey: string,
): Promise<StoredMaterializationEvent> {
  const page = await daemon.storage.getEventsForRun(runId);
  const found = page.records
    .map((r) => r.event)
    .find((e) => e.type === 'materialization' && e.assetKey === assetKey);
  expect(found).toBeDefined();
  return found as StoredMaterializationEvent;
}

describe('upstream versions at dispatch', () => {
  it('a downstream run alone records the version of the upstream materialized in an earlier run', async () => {
    const daemon = await setup();
    const runA = await run(daemon, 'up', 'p1');
    const upEvent = await materializationOf(daemon, runA, 'up');
    const runB = await run(daemon, 'down', 'p1');
    const downEvent = await materializationOf(daemon, runB, 'down');
    expect(downEvent.inputDataVersions?.[inputRef('up', 'p1')]).toBe(upEvent.dataVersion);

    const explained = await daemon.staleness.explain('down', 'p1');
    expect(explained.status).toBe('fresh');
    expect(explained.causes).toEqual([]);
    expect(await daemon.staleness.summary('down')).toMatchObject({ fresh: 1, stale: 0 });

    // The check saw run A's materialization, metadata included.
    const checks = await daemon.storage.getCheckResults({ assetKey: 'down', partitionKey: 'p1' });
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ passed: true });
    const page = await daemon.storage.getEventsForRun(runB);
    const evaluation = page.records.map((r) => r.event).find((e) => e.type === 'check_evaluation');
    expect(evaluation).toMatchObject({ metadata: { upRows: 42, upRunId: runA } });
  });

  it('records an observed external upstream version', async () => {
    const daemon = await setup();
    await daemon.reportObservation({ assetKey: 'src', dataVersion: 'v7' });
    const runId = await run(daemon, 'from_src');
    const event = await materializationOf(daemon, runId, 'from_src');
    expect(event.inputDataVersions).toEqual({ [inputRef('src', undefined)]: 'v7' });
    expect((await daemon.staleness.explain('from_src', undefined)).status).toBe('fresh');

    await daemon.reportObservation({ assetKey: 'src', dataVersion: 'v8' });
    expect((await daemon.staleness.explain('from_src', undefined)).status).toBe('stale');
  });

  it('a run that computes its upstream records the version it computed', async () => {
    const daemon = await setup();
    await run(daemon, 'up', 'p2');
    const runId = await run(daemon, ['up', 'down'], 'p2');
    const upEvent = await materializationOf(daemon, runId, 'up');
    const downEvent = await materializationOf(daemon, runId, 'down');
    expect(downEvent.inputDataVersions).toEqual({
      [inputRef('up', 'p2')]: upEvent.dataVersion,
    });
  });
});

describe('execute message', () => {
  it('carries the upstream versions to the worker, validated', () => {
    const plan = { version: 1, assetKeys: [], steps: [] };
    const upstreamVersions = {
      'up[p1]': {
        dataVersion: 'v1',
        timestamp: '2024-05-01T00:00:00.000Z',
        source: 'materialization',
        materialization: {
          dataVersion: 'v1',
          timestamp: '2024-05-01T00:00:00.000Z',
          runId: 'r1',
          metadata: { rows: 3 },
        },
      },
    };
    const ok = parseParentMessage({ type: 'execute', runId: 'r2', plan, upstreamVersions });
    expect(ok).toMatchObject({ ok: true, message: { upstreamVersions } });
    const bad = parseParentMessage({
      type: 'execute',
      runId: 'r2',
      plan,
      upstreamVersions: { 'up[p1]': { dataVersion: 1 } },
    });
    expect(bad.ok).toBe(false);
  });
});
