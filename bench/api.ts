/**
 * REST API benchmarks (issue 5): a daemon holding 10,000 assets (a generated, layered
 * definitions module with several groups; a quarter of the assets daily-partitioned; the real
 * worker pool of 1 worker, no runs), served by `buildApp()` on 127.0.0.1.
 *
 * - GET /api/graph latency over HTTP (median of 15 after a warm-up);
 * - 50 concurrent keep-alive clients in a CHILD process (so the load generator does not share the
 *   server's event loop) reading GET /api/assets/:key/partitions for random partitioned keys for
 *   10 s: requests per second and p99 latency.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildApp, listen } from '../packages/daemon/src/api/build-app.js';
import { createDaemon } from '../packages/daemon/src/daemon.js';
import { type BenchFigure, median } from './harness.js';

const CORE = pathToFileURL(
  join(dirname(fileURLToPath(import.meta.url)), '../packages/core/src/index.ts'),
).href;

const LAYERS = 50;
const WIDTH = 200;
const CLIENTS = 50;
const DURATION_MS = 10_000;

/** 50 layers × 200 columns; column c depends on column c of the layer above; c % 4 === 0 is daily-partitioned. */
function writeDefs(dir: string): string {
  const src = `import { asset, dailyPartitions, definitions } from ${JSON.stringify(CORE)};
const daily = dailyPartitions({ start: '2023-01-01' });
const all = [];
let prev = [];
for (let layer = 0; layer < ${LAYERS}; layer++) {
  const next = [];
  for (let c = 0; c < ${WIDTH}; c++) {
    const up = prev[c];
    const opts = { key: 'g' + (c % 5) + '/l' + layer + '_a' + c, group: 'g' + (c % 5) };
    if (c % 4 === 0) opts.partitions = daily;
    if (up !== undefined) opts.deps = { up };
    next.push(asset(opts, () => c));
  }
  all.push(...next);
  prev = next;
}
export default definitions({ assets: all });
`;
  const path = join(dir, 'api-bench-defs.ts');
  writeFileSync(path, src);
  return path;
}

const CLIENT = `
import http from 'node:http';
const [base, keysJson, clients, durationMs] = process.argv.slice(2);
const keys = JSON.parse(keysJson);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(clients) });
const latencies = [];
let errors = 0;
const end = Date.now() + Number(durationMs);
function get(path) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = http.get(base + path, { agent }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode !== 200) errors++;
        latencies.push(performance.now() - t0);
        resolve();
      });
    });
    req.on('error', () => { errors++; resolve(); });
  });
}
async function client() {
  while (Date.now() < end) {
    const key = keys[Math.floor(Math.random() * keys.length)];
    await get('/api/assets/' + encodeURIComponent(key) + '/partitions');
  }
}
const t0 = Date.now();
await Promise.all(Array.from({ length: Number(clients) }, client));
const elapsed = (Date.now() - t0) / 1000;
latencies.sort((a, b) => a - b);
process.send({ requests: latencies.length, errors, elapsed, p50: latencies[Math.floor(latencies.length * 0.5)], p99: latencies[Math.floor(latencies.length * 0.99)] });
agent.destroy();
`;

function runClients(
  dir: string,
  base: string,
  keys: string[],
): Promise<{ requests: number; errors: number; elapsed: number; p50: number; p99: number }> {
  const script = join(dir, 'api-bench-client.mjs');
  writeFileSync(script, CLIENT);
  return new Promise((resolve, reject) => {
    const child = fork(script, [base, JSON.stringify(keys), String(CLIENTS), String(DURATION_MS)], {
      execArgv: [],
    });
    // Bounded: the clients stop after DURATION_MS; kill the child if it has not answered by 3×.
    const timer = setTimeout(() => child.kill('SIGKILL'), DURATION_MS * 3);
    child.once('message', (m) => {
      clearTimeout(timer);
      resolve(m as never);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`bench client exited with ${code}`));
    });
  });
}

/** The API bench part. */
export async function run(): Promise<BenchFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-api-'));
  const daemon = await createDaemon({ defs: writeDefs(dir), home: join(dir, 'home'), workers: 1 });
  const app = await buildApp({ daemon });
  try {
    const keys = [...daemon.definitions.assets.keys()];
    const partitioned = keys.filter(
      (k) => daemon.definitions.assets.get(k)!.partitions !== undefined,
    );
    // Some status to read: 10 materialized partitions in a few ranges on 500 partitioned assets.
    for (const key of partitioned.slice(0, 500)) {
      const defn = daemon.definitions.assets.get(key)!.partitions!;
      for (const i of [0, 1, 2, 10, 11, 50, 100, 101, 102, 300]) {
        await daemon.reportMaterialization({ assetKey: key, partitionKey: defn.keyAt(i) });
      }
    }
    await daemon.storage.flush();
    const base = await listen(app, { port: 0 });

    const graphTimes: number[] = [];
    let nodes = 0;
    for (let i = 0; i < 17; i++) {
      const t0 = performance.now();
      const res = await fetch(`${base}/api/graph`);
      const body = (await res.json()) as { nodes: unknown[] };
      if (i >= 2) graphTimes.push(performance.now() - t0);
      nodes = body.nodes.length;
    }
    const load = await runClients(dir, base, partitioned.slice(0, 1000));
    const rps = load.requests / load.elapsed;
    return [
      {
        name: `GET /api/graph with ${nodes.toLocaleString('en-US')} assets (median of ${graphTimes.length}, HTTP incl. JSON parse)`,
        value: median(graphTimes),
        unit: 'ms',
      },
      {
        name: `GET /api/assets/:key/partitions, ${CLIENTS} keep-alive clients for ${DURATION_MS / 1000} s (${load.errors} errors)`,
        value: rps,
        unit: 'req/s',
        target: 10_000,
        targetKind: 'min',
        note: `p50 ${load.p50.toFixed(2)} ms; client in a child process on the same 2 cores`,
      },
      {
        name: 'GET /api/assets/:key/partitions p99 under that load',
        value: load.p99,
        unit: 'ms',
        target: 20,
      },
    ];
  } finally {
    await app.close();
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
