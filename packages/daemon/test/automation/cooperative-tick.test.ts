import {
  type AnyAssetDefinition,
  asset,
  definitions,
  eager,
  evaluateAutomation,
  evaluateAutomationAsync,
  memoryAutomationState,
} from '@cairn/core';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/build-app.js';
import { automationDaemon, tempHome } from './helpers.js';

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

/** `layers` layers of `width` eager unpartitioned assets, each reading two of the layer above. */
function layered(layers: number, width: number): AnyAssetDefinition[] {
  const out: AnyAssetDefinition[] = [];
  let previous: AnyAssetDefinition[] = [];
  for (let l = 0; l < layers; l++) {
    const layer = Array.from({ length: width }, (_, i) =>
      asset(
        {
          key: `l${l}/a${i}`,
          codeVersion: '1',
          deps: l === 0 ? [] : [previous[i]!, previous[(i + 1) % width]!],
          automation: eager(),
        },
        () => 0,
      ),
    );
    out.push(...layer);
    previous = layer;
  }
  return out;
}

describe('a cooperative automation tick', () => {
  it('serves an HTTP request while a tick over 2,000 assets is evaluating', async () => {
    const t = tempHome('cairn-coop-');
    cleanups.push(t.remove);
    const defs = definitions({ assets: layered(20, 100) });
    // No runs: the tick is all evaluation and bookkeeping. sliceMs 0 yields after every asset.
    const { daemon } = await automationDaemon(defs, t.home, {
      automation: { maxRunsPerTick: 0, sliceMs: 0 },
    });
    cleanups.push(() => daemon.stop());
    const app = await buildApp({ daemon });
    cleanups.push(() => app.close());
    const url = await app.listen({ port: 0, host: '127.0.0.1' });

    const order: string[] = [];
    const tick = daemon.automation.tick().then((r) => {
      order.push('tick finished');
      return r;
    });
    const response = fetch(`${url}/api/health`).then(async (res) => {
      order.push(`response ${res.status}`);
      return res.json();
    });
    const [result] = await Promise.all([tick, response]);
    // The request went through the network stack and the server while the tick ran: a tick
    // that kept the thread until it was done would always finish first.
    expect(order).toEqual(['response 200', 'tick finished']);
    expect(result.evaluatedAssets).toBe(2000);
    expect(result.slices).toBeGreaterThan(1000);
  });

  it('evaluates in slices to the same result as the synchronous evaluation', async () => {
    const assets = layered(4, 25);
    const defs = definitions({ assets });
    const now = new Date('2024-03-03T00:00:00Z');
    const state = () => {
      const s = memoryAutomationState();
      for (const a of assets.slice(0, 50))
        s.recordMaterialization({ assetKey: a.key, codeVersion: '1', timestamp: now });
      return s;
    };
    const sync = evaluateAutomation(defs, state(), { now });
    let pauses = 0;
    const sliced = await evaluateAutomationAsync(defs, state(), {
      now,
      sliceMs: 0,
      pause: async () => {
        pauses++;
      },
    });
    expect(pauses).toBe(sliced.slices - 1);
    expect(sliced.slices).toBeGreaterThan(100);
    expect(sliced.runRequests).toEqual(sync.runRequests);
    expect(sliced.assets).toEqual(sync.assets);
    expect(sliced.memory.assets).toEqual(sync.memory.assets);
    expect(sliced.runRequests.length).toBeGreaterThan(0);

    await expect(
      evaluateAutomationAsync(defs, state(), { now, sliceMs: -1 }),
    ).rejects.toMatchObject({ code: 'CAIRN_INVALID_OPTIONS' });
  });
});
