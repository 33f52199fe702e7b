/**
 * REST API benchmarks (issue 5): a daemon holding 10,000 assets (a generated, layered
 * definitions module with several groups; a quarter of the assets daily-partitioned; the real
 * worker pool of 1 worker, no runs), served by `buildApp()` on 127.0.0.1.
 *
 * - GET /api/graph latency over HTTP (median of 15 after a warm-up), with status.stale (one
 *   grouped query) and failingChecks on every node, as the UI loads it;
 * - one automation tick over the 10,000 assets (the loop is off during the load: see below);
 * - 50 concurrent keep-alive clients in a CHILD process (so the load generator does not share the
 *   server's event loop) reading GET /api/assets/:key/partitions for random partitioned keys for
 *   10 s: requests per second and p99 latency, with the CPU both processes used (% of one core)
 *   and the server's worst event-loop delay, to tell a slow server from a saturated client.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
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

// The load generator: 50 keep-alive HTTP/1.1 connections on raw sockets, one request in flight
// each (no pipelining), responses framed by Content-Length. node:http's client Agent costs about
// as much CPU per request as the server, and both share the 2 cores: with it the bench measured
// the client (each process ~50% of a core, the server idle 40% of the time in its profile).
const CLIENT = `
import net from 'node:net';
const [base, keysJson, clients, durationMs] = process.argv.slice(2);
const url = new URL(base);
const keys = JSON.parse(keysJson);
const latencies = [];
let errors = 0;
const end = Date.now() + Number(durationMs);
const HEAD_END = Buffer.from('\\r\\n\\r\\n');
function connection() {
  return new Promise((resolve) => {
    const socket = net.connect(Number(url.port), url.hostname);
    socket.setNoDelay(true);
    let buf = Buffer.alloc(0);
    let t0 = 0;
    const send = () => {
      if (Date.now() >= end) { socket.end(); resolve(); return; }
      const key = keys[Math.floor(Math.random() * keys.length)];
      t0 = performance.now();
      socket.write('GET /api/assets/' + encodeURIComponent(key) + '/partitions HTTP/1.1\\r\\nHost: ' + url.host + '\\r\\n\\r\\n');
    };
    socket.on('connect', send);
    socket.on('data', (chunk) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      const head = buf.indexOf(HEAD_END);
      if (head < 0) return;
      const header = buf.subarray(0, head).toString('latin1');
      const m = /\\r\\ncontent-length: *(\\d+)/i.exec(header);
      if (m === null) { errors++; socket.destroy(); resolve(); return; }
      const total = head + 4 + Number(m[1]);
      if (buf.length < total) return;
      if (!header.startsWith('HTTP/1.1 200')) errors++;
      latencies.push(performance.now() - t0);
      buf = buf.subarray(total);
      send();
    });
    socket.on('error', () => { errors++; resolve(); });
  });
}
const t0 = Date.now();
const cpu0 = process.cpuUsage();
await Promise.all(Array.from({ length: Number(clients) }, connection));
const elapsed = (Date.now() - t0) / 1000;
latencies.sort((a, b) => a - b);
const cpu = process.cpuUsage(cpu0);
process.send({ cpuMs: (cpu.user + cpu.system) / 1000, requests: latencies.length, errors, elapsed, p50: latencies[Math.floor(latencies.length * 0.5)], p99: latencies[Math.floor(latencies.length * 0.99)] });
`;

function runClients(
  dir: string,
  base: string,
  keys: string[],
): Promise<{
  requests: number;
  errors: number;
  elapsed: number;
  p50: number;
  p99: number;
  cpuMs: number;
}> {
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
  // The automation tick evaluates all 10,000 assets in one synchronous call of core's
  // evaluateAutomation (hundreds of ms); its first tick would land in the 10 s window at a random
  // point, so the bench turns the loop off and measures one tick separately (below).
  const daemon = await createDaemon({
    defs: writeDefs(dir),
    home: join(dir, 'home'),
    workers: 1,
    automation: { intervalSeconds: 0 },
  });
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
    let staleKnown = 0;
    for (let i = 0; i < 17; i++) {
      const t0 = performance.now();
      const res = await fetch(`${base}/api/graph`);
      const body = (await res.json()) as { nodes: { status: { stale: number | null } }[] };
      if (i >= 2) graphTimes.push(performance.now() - t0);
      nodes = body.nodes.length;
      staleKnown = body.nodes.filter((n) => n.status.stale !== null).length;
    }
    // The same without status.stale, for the cost of the stale counts (one grouped query).
    const plainTimes: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      await (await fetch(`${base}/api/graph?stale=false`)).json();
      if (i >= 2) plainTimes.push(performance.now() - t0);
    }
    const t1 = performance.now();
    await daemon.automation.tick();
    const tickMs = performance.now() - t1;
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const cpu0 = process.cpuUsage();
    const load = await runClients(dir, base, partitioned.slice(0, 1000));
    const cpu = process.cpuUsage(cpu0);
    loop.disable();
    const rps = load.requests / load.elapsed;
    const serverCpu = (cpu.user + cpu.system) / 1000 / (load.elapsed * 10);
    const clientCpu = load.cpuMs / (load.elapsed * 10);
    return [
      {
        name: `GET /api/graph with ${nodes.toLocaleString('en-US')} assets (median of ${graphTimes.length}, HTTP incl. JSON parse)`,
        value: median(graphTimes),
        unit: 'ms',
        note: `status.stale on ${staleKnown.toLocaleString('en-US')} nodes, failingChecks on all; ?stale=false: ${median(plainTimes).toFixed(0)} ms`,
      },
      {
        name: `one automation tick over ${nodes.toLocaleString('en-US')} assets (loop off during the load below)`,
        value: tickMs,
        unit: 'ms',
      },
      {
        name: `GET /api/assets/:key/partitions, ${CLIENTS} keep-alive clients for ${DURATION_MS / 1000} s (${load.errors} errors)`,
        value: rps,
        unit: 'req/s',
        target: 10_000,
        targetKind: 'min',
        note: `p50 ${load.p50.toFixed(2)} ms; CPU of one core: server ${serverCpu.toFixed(0)}%, client ${clientCpu.toFixed(0)}% (child process, same 2 cores); event-loop delay max ${(loop.max / 1e6).toFixed(1)} ms`,
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
