/**
 * A daemon in a child process for the recovery test: submits `slow` (with maxRetries from argv),
 * prints `STARTED <runId>` once its step has started, and waits to be killed with SIGKILL.
 * Usage: node --conditions=@cairn/source --import tsx kill-child.ts <home> <defs> <maxRetries>
 */
import { createDaemon } from '../../src/daemon.js';

const [home, defs, maxRetries] = process.argv.slice(2);
const daemon = await createDaemon({ defs: defs!, home: home!, workers: 1 });
daemon.onEvent(({ event }) => {
  if (event.type === 'step_started') process.stdout.write(`STARTED ${event.runId}\n`);
});
await daemon.submit({ selection: 'slow', maxRetries: Number(maxRetries) });
