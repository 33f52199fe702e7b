import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { calls, testDaemon } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const children: ChildProcess[] = [];
const homes: string[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
  delete process.env.CAIRN_RUNS_SLOW_MS;
});

/** Starts a daemon child that runs `slow`, waits until its step started, and SIGKILLs it. */
async function killDaemonMidRun(home: string, maxRetries: number): Promise<string> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@cairn/source',
      '--import',
      'tsx',
      join(here, 'kill-child.ts'),
      home,
      join(here, '../fixtures/runs-defs.ts'),
      String(maxRetries),
    ],
    { env: { ...process.env, CAIRN_RUNS_FIXTURE_DIR: home }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += String(d);
  });
  const runId = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += String(d);
      const match = /STARTED (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.on('exit', (code) => reject(new Error(`child exited early (${code}): ${stderr}`)));
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  return runId;
}

describe('recovery on start', () => {
  it('fails a run left started by a killed daemon, with the reason', {
    timeout: 60_000,
  }, async () => {
    const home = mkdtempSync(join(tmpdir(), 'cairn-recovery-'));
    homes.push(home);
    const runId = await killDaemonMidRun(home, 0);
    const { daemon } = await testDaemon({ home });
    try {
      const run = await daemon.waitForRun(runId);
      expect(run.status).toBe('failure');
      const steps = await daemon.storage.getSteps(runId);
      expect(steps).toHaveLength(1);
      expect(steps[0]).toMatchObject({ stepKey: 'slow', status: 'failed' });
      expect((steps[0]!.error as { message: string }).message).toContain(
        'the daemon stopped while this run was running',
      );
      const events = (await daemon.storage.getEventsForRun(runId)).records.map((r) => r.event);
      const finished = events.filter((e) => e.type === 'run_finished');
      expect(finished).toHaveLength(1);
      expect(finished[0]).toMatchObject({
        status: 'failure',
        error: { code: 'CAIRN_RUN_INTERRUPTED' },
      });
      expect(events.filter((e) => e.type === 'run_started')).toHaveLength(1);
      expect((await daemon.storage.getAssetPartition('slow'))?.status).toBe('failed');
      expect((await daemon.storage.integrityCheck()).ok).toBe(true);
    } finally {
      await daemon.stop();
    }
  });

  it('requeues a retry (from failure) when maxRetries allows', { timeout: 60_000 }, async () => {
    const home = mkdtempSync(join(tmpdir(), 'cairn-recovery-'));
    homes.push(home);
    const runId = await killDaemonMidRun(home, 1);
    process.env.CAIRN_RUNS_SLOW_MS = '10';
    const { daemon } = await testDaemon({ home });
    try {
      expect((await daemon.waitForRun(runId)).status).toBe('failure');
      const { runs } = await daemon.storage.getRuns();
      const retry = runs.find((r) => r.runId !== runId);
      expect(retry).toBeDefined();
      expect((await daemon.waitForRun(retry!.runId)).status).toBe('success');
      const queued = (await daemon.storage.getEventsForRun(retry!.runId)).records[0]?.event;
      expect(queued).toMatchObject({ type: 'run_queued', parentRunId: runId, attempt: 2 });
      expect(calls(home, 'slow')).toBe(2);
    } finally {
      await daemon.stop();
    }
  });
});
