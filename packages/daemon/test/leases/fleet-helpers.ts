import { type ChildProcess, fork } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Polls `check` every 50 ms until true; fails after `timeoutMs` with `what`. */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A forked TypeScript child process with its output collected. */
export interface Child {
  child: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
  errors(): string;
}

/** Forks `script` with tsx (the sources' export condition), collecting stdout and stderr. */
export function forkChild(script: string, args: string[], children: ChildProcess[]): Child {
  const child = fork(script, args, {
    execArgv: ['--conditions=@cairn/source', '--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => {
    out += s;
  });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    err += s;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => out, errors: () => err };
}

/** One execution recorded by the limits fixture: `what` ran in `pid` from `start` to `end`. */
export interface Interval {
  what: string;
  pid: number;
  start: number;
  end: number;
}

/**
 * The executions recorded in `<dir>/intervals.log` (only those that ended). `start` and `end` are
 * the lines' positions in the file, not the clock readings written on them: every process appends
 * one short line per write, so the file holds the events in the order they happened, while a
 * virtual machine's wall clock can step backwards between two of them (seen: two runs of a limit
 * of 1 "overlapping" by a few ms of clock).
 */
export function readIntervals(dir: string): Interval[] {
  const file = join(dir, 'intervals.log');
  if (!existsSync(file)) return [];
  const starts = new Map<string, { start: number; pid: number }>();
  const out: Interval[] = [];
  for (const [position, line] of readFileSync(file, 'utf8').trim().split('\n').entries()) {
    const [phase, , pid, what] = line.split(' ');
    if (phase === 'start') starts.set(what!, { start: position, pid: Number(pid) });
    else if (phase === 'end') {
      const s = starts.get(what!);
      if (s !== undefined) out.push({ what: what!, pid: s.pid, start: s.start, end: position });
    }
  }
  return out;
}

/** Starts recorded per execution key (a key started twice means it executed twice). */
export function startCounts(dir: string): Map<string, number> {
  const file = join(dir, 'intervals.log');
  const counts = new Map<string, number>();
  if (!existsSync(file)) return counts;
  for (const line of readFileSync(file, 'utf8').trim().split('\n')) {
    const [phase, , , what] = line.split(' ');
    if (phase === 'start') counts.set(what!, (counts.get(what!) ?? 0) + 1);
  }
  return counts;
}

/**
 * The most intervals that overlapped at any moment. At equal times an end counts before a
 * start: a slot is freed (the run's end stored) before the next run in it can start.
 */
export function maxOverlap(intervals: readonly Interval[]): number {
  const points = intervals.flatMap((i) => [
    { t: i.start, d: 1 },
    { t: i.end, d: -1 },
  ]);
  points.sort((a, b) => a.t - b.t || a.d - b.d);
  let now = 0;
  let max = 0;
  for (const p of points) {
    now += p.d;
    max = Math.max(max, now);
  }
  return max;
}
