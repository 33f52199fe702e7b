import { DaemonError } from '../errors.js';
import type { WorkerPool } from '../workers/worker-pool-types.js';

/**
 * The worker pool of a daemon started with `dispatch: false`: it has no worker processes, since
 * its coordinator never claims a run. `execute` refuses (it cannot be reached through the
 * coordinator) with an error that says where runs execute instead.
 */
export function noDispatchPool(): WorkerPool {
  return {
    size: 0,
    execute(request) {
      throw new DaemonError(
        'CAIRN_INVALID_OPTIONS',
        `Run ${request.runId} cannot execute here: this daemon was started with dispatch: false (--no-dispatch), so it has no worker processes. Start a \`cairn worker\` on the same database, or start the daemon without --no-dispatch.`,
        { option: 'dispatch', runId: request.runId },
      );
    },
    reload: async () => undefined,
    close: async () => undefined,
  };
}
