import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/storage.js';
import { dumpDerived, rangeProblems, tempDb } from './helpers.js';

const CHILD = fileURLToPath(new URL('./fixtures/crash-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** Runs the child until it printed `lines` committed ids, then SIGKILLs it; returns what it printed. */
function runAndKill(path: string, tag: string, lines: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(
      process.execPath,
      ['--conditions=@cairn/source', '--import', 'tsx', CHILD, path, tag],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    let killed = false;
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (!killed && out.split('\n').length - 2 >= lines) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') {
        reject(new Error(`child exited on its own (code ${code}): ${err}`));
        return;
      }
      // Only complete lines count: the kill may cut the last one.
      const complete = out.slice(0, out.lastIndexOf('\n') + 1).split('\n');
      resolve(complete.filter((l) => l !== '' && l !== 'ready'));
    });
  });
}

describe('crash safety', () => {
  it('keeps every committed event across SIGKILLs at random moments', async () => {
    const t = tempDb();
    try {
      const printed = new Map<number, string>();
      for (let round = 0; round < 4; round++) {
        const lines = await runAndKill(t.path, `k${round}`, 40 + Math.floor(Math.random() * 1500));
        expect(lines.length).toBeGreaterThan(0);
        for (const line of lines) {
          const [id, nonce] = line.split(' ') as [string, string];
          // An id is printed once: a committed id is never handed out again.
          expect(printed.has(Number(id))).toBe(false);
          printed.set(Number(id), nonce);
        }
      }
      const storage = await openStorage({ path: t.path });
      try {
        expect(await storage.integrityCheck()).toEqual({ ok: true, problems: [] });
        const stored = new Map<number, string>();
        for (let after = 0; ; ) {
          const page = await storage.getEventsAfter(after, { limit: 5000 });
          for (const r of page.records) {
            const e = r.event as { type: string; runId?: string };
            stored.set(r.id, e.runId ?? '');
          }
          if (page.nextCursor === undefined) break;
          after = page.nextCursor;
        }
        for (const [id, nonce] of printed) {
          // The run id of the stored event is `<tag>-r<n>` for nonce `<tag>-<n>`.
          expect(stored.get(id), `event ${id}`).toBe(nonce.replace('-', '-r'));
        }
        expect(await rangeProblems(storage.db)).toEqual([]);
        const incremental = await dumpDerived(storage.db);
        await storage.rebuildIndexes();
        expect(await dumpDerived(storage.db)).toEqual(incremental);
      } finally {
        await storage.close();
      }
    } finally {
      t.cleanup();
    }
  }, 120_000);
});
