import type { LayoutInput, LayoutResult } from './layout-types.js';

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, (r: LayoutResult) => void>();

/** Starts the layout worker ahead of the first layout, so its startup overlaps the graph fetch. */
export function warmLayoutWorker(): void {
  start();
}

function start(): Worker {
  if (worker === null) {
    worker = new Worker(new URL('./layout-worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (msg: MessageEvent<{ id: number; result: LayoutResult }>) => {
      const resolve = pending.get(msg.data.id);
      pending.delete(msg.data.id);
      resolve?.(msg.data.result);
    };
  }
  return worker;
}

/** Lays a graph out in the layout Web Worker (one worker per page, requests answered in order). */
export function layoutInWorker(input: LayoutInput): Promise<LayoutResult> {
  const w = start();
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    w.postMessage({ id, input });
  });
}
