import { join } from 'node:path';
import {
  type Definitions,
  executePlan,
  filesystemIOManager,
  isImplicitDefaultIOManager,
  type RunEvent,
  serializeError,
} from '@cairn/core';
import { upstreamHistory } from '../../src/workers/upstream-history.js';
import type {
  RunExecutionHandle,
  RunExecutionRequest,
  RunOutcome,
  WorkerPool,
} from '../../src/workers/worker-pool-types.js';

/**
 * A real, in-process implementation of the WorkerPool contract on core's `executePlan`: no
 * isolation, but the same plans, events, filesystem IO manager under `<home>/storage` and
 * cancellation semantics, so coordinator tests run fast and deterministically. `size` runs at
 * once; more wait for a free slot, like the real pool.
 */
export function inProcessPool(defs: Definitions, home: string, size = 2): WorkerPool {
  const ioManagers = isImplicitDefaultIOManager(defs.ioManagers.default)
    ? { default: filesystemIOManager({ baseDir: join(home, 'storage') }) }
    : undefined;
  let busy = 0;
  const waiting: (() => void)[] = [];
  let closed = false;
  const running = new Set<AbortController>();

  async function acquire(): Promise<void> {
    if (busy < size) {
      busy++;
      return;
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  }
  function release(): void {
    const next = waiting.shift();
    if (next !== undefined) next();
    else busy--;
  }

  return {
    size,
    execute(request: RunExecutionRequest, onEvent: (e: RunEvent) => void): RunExecutionHandle {
      const controller = new AbortController();
      const result = (async (): Promise<RunOutcome> => {
        await acquire();
        running.add(controller);
        try {
          if (closed) throw new Error('pool closed');
          const r = await executePlan(defs, request.plan, {
            runId: request.runId,
            onEvent,
            signal: controller.signal,
            history: upstreamHistory(request.upstreamVersions ?? {}),
            ...(request.config === undefined ? {} : { config: request.config }),
            ...(ioManagers === undefined ? {} : { ioManagers }),
          });
          return { status: r.status };
        } catch (err) {
          return { status: 'failure', error: serializeError(err) };
        } finally {
          running.delete(controller);
          release();
        }
      })();
      return {
        result,
        cancel(reason?: string) {
          controller.abort(new Error(reason ?? 'canceled'));
        },
      };
    },
    async reload() {},
    async close() {
      closed = true;
      for (const c of running) c.abort(new Error('pool closed'));
    },
  };
}
