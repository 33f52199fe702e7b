import { AsyncLocalStorage } from 'node:async_hooks';

/** The step whose code is running in the current async context. */
export interface StepScope {
  runId: string;
  stepKey: string;
  assetKey: string;
  partitionKey: string | undefined;
}

/** Receives one captured write of user code running inside a step. */
export type CapturedWrite = (scope: StepScope, stream: 'stdout' | 'stderr', text: string) => void;

type Write = typeof process.stdout.write;

/**
 * Attributes stdout/stderr writes (console.log and friends) to the step whose code made them: each
 * step runs inside `run(scope, fn)`, an AsyncLocalStorage context that follows every await and
 * callback of that step, so two steps running in parallel keep their lines apart. Writes made
 * outside any step (while loading definitions, by timers a finished step left behind) go to the
 * real stream unchanged.
 */
export class OutputCapture {
  private readonly storage = new AsyncLocalStorage<StepScope>();
  private readonly restore: (() => void)[] = [];

  constructor(private readonly onWrite: CapturedWrite) {}

  /** Patches `process.stdout.write` and `process.stderr.write`; call once at worker start. */
  install(): void {
    for (const name of ['stdout', 'stderr'] as const) {
      const stream = process[name];
      const original = stream.write;
      const capture = this;
      const patched = function (
        this: unknown,
        chunk: unknown,
        encoding?: unknown,
        callback?: unknown,
      ): boolean {
        const scope = capture.storage.getStore();
        if (scope === undefined)
          return Reflect.apply(original, stream, [chunk, encoding, callback]);
        const text =
          typeof chunk === 'string'
            ? chunk
            : Buffer.from(chunk as Uint8Array).toString(
                typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
              );
        capture.emit(scope, name, text);
        const done = typeof encoding === 'function' ? encoding : callback;
        if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
        return true;
      };
      stream.write = patched as Write;
      this.restore.push(() => {
        stream.write = original;
      });
    }
  }

  /** Undoes `install()`. */
  uninstall(): void {
    for (const undo of this.restore.splice(0)) undo();
  }

  /** Runs `fn` (and everything it awaits) as code of the step `scope`. */
  run<T>(scope: StepScope, fn: () => T): T {
    return this.storage.run(scope, fn);
  }

  private emit(scope: StepScope, stream: 'stdout' | 'stderr', text: string): void {
    // console.log writes one chunk per call ending in "\n": one call becomes one log line.
    const line = text.endsWith('\n') ? text.slice(0, text.endsWith('\r\n') ? -2 : -1) : text;
    if (line === '') return;
    try {
      this.onWrite(scope, stream, line);
    } catch {
      // A write must never throw into user code because forwarding failed (IPC closed at exit).
    }
  }
}
