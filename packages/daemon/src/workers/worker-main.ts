/**
 * The entry of a worker process, forked by the pool (`createWorkerPool`). It loads the definitions
 * once, says `ready` (or `load_error`), then executes the plans it receives with core's
 * `executePlan`, one run at a time, forwarding every event to the parent as it is emitted.
 * Arguments: `<definitions module path> <cairn home>`.
 */
import { join } from 'node:path';
import {
  type Definitions,
  executePlan,
  filesystemIOManager,
  type IOManager,
  isImplicitDefaultIOManager,
  type LogEvent,
  type RunEvent,
  serializeError,
} from '@cairn/core';
import { loadDefinitions } from '../definitions/load-definitions.js';
import { OutputCapture } from './output-capture.js';
import { upstreamHistory } from './upstream-history.js';
import { type ExecuteMessage, parseParentMessage, type WorkerMessage } from './worker-messages.js';

const [defsPath, home] = process.argv.slice(2);

function send(message: WorkerMessage, sent?: () => void): void {
  // After the parent went away there is nobody to tell; the disconnect handler exits.
  if (process.connected) process.send?.(message, undefined, {}, () => sent?.());
}

const capture = new OutputCapture((scope, stream, text) => {
  const event: LogEvent = {
    type: 'log',
    runId: scope.runId,
    timestamp: new Date().toISOString(),
    level: stream === 'stdout' ? 'info' : 'warn',
    message: text,
    fields: { stream },
    stepKey: scope.stepKey,
    assetKey: scope.assetKey,
  };
  if (scope.partitionKey !== undefined) event.partitionKey = scope.partitionKey;
  send({ type: 'event', event });
});

let defs: Definitions | undefined;
let ioManagers: Record<string, IOManager> | undefined;
let current: { runId: string; controller: AbortController } | undefined;

async function execute(message: ExecuteMessage): Promise<void> {
  const controller = new AbortController();
  const { runId } = message;
  current = { runId, controller };
  const onEvent = (event: RunEvent) => send({ type: 'event', event });
  try {
    const result = await executePlan(defs!, message.plan, {
      runId,
      config: message.config ?? {},
      signal: controller.signal,
      onEvent,
      // Without it, materializations would record only the inputs computed in this same run.
      history: upstreamHistory(message.upstreamVersions ?? {}),
      ...(ioManagers === undefined ? {} : { ioManagers }),
      aroundStep: (step, run) =>
        capture.run(
          {
            runId,
            stepKey: step.key,
            assetKey: step.assetKeys[0] ?? step.node,
            partitionKey: step.partitionKey,
          },
          run,
        ),
    });
    send({ type: 'done', runId, status: result.status });
  } catch (err) {
    // executePlan throws only before anything ran (invalid plan or run config).
    send({ type: 'done', runId, status: 'failure', error: serializeError(err) });
  } finally {
    current = undefined;
  }
}

process.on('message', (raw) => {
  const parsed = parseParentMessage(raw);
  if (!parsed.ok) {
    process.stderr.write(
      `cairn worker ${process.pid}: ignoring malformed message: ${parsed.error}\n`,
    );
    return;
  }
  const message = parsed.message;
  if (message.type === 'cancel') {
    if (current?.runId === message.runId) current.controller.abort(message.reason);
    return;
  }
  if (defs === undefined || current !== undefined) {
    const why =
      defs === undefined ? 'definitions are not loaded' : `run ${current?.runId} is running`;
    send({
      type: 'done',
      runId: message.runId,
      status: 'failure',
      error: { name: 'Error', message: `Worker ${process.pid} is busy: ${why}.`, stack: '' },
    });
    return;
  }
  void execute(message);
});

// The daemon died or closed the channel: nothing can receive our events any more.
process.on('disconnect', () => process.exit());

async function main(): Promise<void> {
  capture.install();
  const started = performance.now();
  try {
    const loaded = await loadDefinitions(defsPath ?? '');
    defs = loaded.defs;
  } catch (err) {
    process.exitCode = 78;
    // Disconnect only once the message is out, or the parent would see a bare exit.
    send({ type: 'load_error', error: serializeError(err) }, () => process.disconnect?.());
    return;
  }
  // Values must cross processes and runs: core's implicit in-memory default cannot do that, so it
  // becomes a filesystem IO manager under the home. A default the user configured is kept.
  if (isImplicitDefaultIOManager(defs.ioManagers.default)) {
    ioManagers = { default: filesystemIOManager({ baseDir: join(home ?? '.cairn', 'storage') }) };
  }
  const timeouts: Record<string, number> = {};
  for (const [key, a] of defs.assets) if (a.timeoutMs !== undefined) timeouts[key] = a.timeoutMs;
  send({ type: 'ready', pid: process.pid, timeouts, loadMs: performance.now() - started });
}

await main();
