import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { asset } from '../../src/asset.js';
import { assetCheck } from '../../src/checks/asset-check.js';
import { definitions } from '../../src/definitions.js';
import { isCairnError } from '../../src/errors.js';
import { materialize } from '../../src/execution/materialize.js';
import { resource } from '../../src/resource.js';
import { eventsOf } from './fixtures.js';

describe('run config', () => {
  const scaled = asset(
    {
      key: 'scaled',
      config: z.object({ factor: z.number().int(), label: z.string().default('x') }),
    },
    (_, ctx) => `${ctx.config.label}:${ctx.config.factor * 10}`,
  );

  it('passes the parsed config (with defaults) to the asset', async () => {
    const run = await materialize(definitions({ assets: [scaled] }), {
      config: { scaled: { factor: 3 } },
    });
    expect(run.values.get('scaled')).toBe('x:30');
  });

  it('rejects invalid config with CAIRN_INVALID_CONFIG naming the asset and the zod issue, before running', async () => {
    const events: unknown[] = [];
    const err = await materialize(definitions({ assets: [scaled] }), {
      config: { scaled: { factor: 'three' } },
      onEvent: (e) => events.push(e),
    }).catch((e: unknown) => e);
    expect(isCairnError(err, 'CAIRN_INVALID_CONFIG')).toBe(true);
    const e = err as Error & { details: { asset: string; issues: { path: string[] }[] } };
    expect(e.message).toContain('Run config of asset "scaled" is invalid at "factor":');
    expect(e.details.asset).toBe('scaled');
    expect(e.details.issues[0]!.path).toEqual(['factor']);
    expect(events).toEqual([]);
  });

  it('reports a missing required config', async () => {
    await expect(materialize(definitions({ assets: [scaled] }))).rejects.toThrow(
      /Run config of asset "scaled" is invalid at "factor"/,
    );
  });

  it('rejects config for an unknown asset', async () => {
    const err = await materialize(definitions({ assets: [scaled] }), {
      config: { scaled: { factor: 1 }, scaledd: {} },
    }).catch((e: unknown) => e);
    expect(isCairnError(err, 'CAIRN_UNKNOWN_ASSET')).toBe(true);
  });
});

describe('resources', () => {
  function tracked(log: string[], name: string, opts: { failSetup?: boolean } = {}) {
    return resource({
      config: z.object({ url: z.string().default(`db://${name}`) }),
      setup: ({ config }) => {
        log.push(`setup ${name} ${config.url}`);
        if (opts.failSetup) throw new Error(`cannot reach ${config.url}`);
        return { name, url: config.url };
      },
      teardown: (v) => {
        log.push(`teardown ${v.name}`);
      },
    });
  }

  it('sets up only the needed resources once, gives each asset only its own, tears down in reverse order', async () => {
    const log: string[] = [];
    const db = tracked(log, 'db');
    const api = tracked(log, 'api');
    const unused = tracked(log, 'unused');
    const seen: Record<string, string[]> = {};
    const a = asset({ key: 'a', resources: { db } }, (_, ctx) => {
      seen.a = Object.keys(ctx.resources);
      return ctx.resources.db.url;
    });
    const b = asset({ key: 'b', deps: { a }, resources: { db, api } }, ({ a }, ctx) => {
      seen.b = Object.keys(ctx.resources).sort();
      return `${a}+${ctx.resources.api.url}`;
    });
    const c = asset({ key: 'c', resources: { unused } }, () => 1);
    const run = await materialize(definitions({ assets: [a, b, c] }), { selection: ['a', 'b'] });
    expect(run.success).toBe(true);
    expect(run.values.get('b')).toBe('db://db+db://api');
    expect(seen).toEqual({ a: ['db'], b: ['api', 'db'] });
    expect(log).toEqual(['setup db db://db', 'setup api db://api', 'teardown api', 'teardown db']);
  });

  it('uses run overrides (definitions or plain values) over declared resources', async () => {
    const log: string[] = [];
    const db = tracked(log, 'db');
    const a = asset({ key: 'a', resources: { db } }, (_, ctx) => ctx.resources.db.url);
    const defs = definitions({
      assets: [a],
      resources: { db: db.configured({ url: 'db://defs' }) },
    });
    expect((await materialize(defs)).values.get('a')).toBe('db://defs');
    const run = await materialize(defs, { resources: { db: { name: 'fake', url: 'mem://' } } });
    expect(run.values.get('a')).toBe('mem://');
  });

  it('tears resources down even when a step fails', async () => {
    const log: string[] = [];
    const db = tracked(log, 'db');
    const a = asset({ key: 'a', resources: { db } }, () => {
      log.push('compute a');
      throw new Error('bad');
    });
    const run = await materialize(definitions({ assets: [a] }));
    expect(run.success).toBe(false);
    expect(log).toEqual(['setup db db://db', 'compute a', 'teardown db']);
  });

  it('fails the run with CAIRN_RESOURCE_SETUP_FAILED wrapping the user error, tearing down what was set up', async () => {
    const log: string[] = [];
    const db = tracked(log, 'db');
    const api = tracked(log, 'api', { failSetup: true });
    let ran = false;
    const a = asset({ key: 'a', resources: { db, api } }, () => {
      ran = true;
    });
    const run = await materialize(definitions({ assets: [a] }));
    expect(ran).toBe(false);
    expect(run.success).toBe(false);
    expect(log).toEqual(['setup db db://db', 'setup api db://api', 'teardown db']);
    const err = run.failures[0]!.error;
    expect(err.code).toBe('CAIRN_RESOURCE_SETUP_FAILED');
    expect(err.message).toBe('Resource "api" failed to set up: cannot reach db://api');
    expect((err.cause as Error).message).toBe('cannot reach db://api');
    expect(run.result.steps).toEqual({ a: 'skipped' });
    expect(eventsOf(run.events, 'step_skipped')[0]!.reason).toContain('resource setup failed');
    expect(eventsOf(run.events, 'log')[0]!.level).toBe('error');
  });

  it('validates resource config', async () => {
    const log: string[] = [];
    const db = tracked(log, 'db').configured({ url: 42 as never });
    const a = asset({ key: 'a', resources: { db } }, () => 1);
    const run = await materialize(definitions({ assets: [a] }));
    expect(run.failures[0]!.error.code).toBe('CAIRN_INVALID_CONFIG');
    expect(run.failures[0]!.error.message).toContain('resource "db"');
    expect(log).toEqual([]);
  });

  it('gives checks the resources they declare', async () => {
    const log: string[] = [];
    const db = tracked(log, 'db');
    const a = asset({ key: 'a' }, () => 1);
    const check = assetCheck({ asset: a, name: 'c', resources: { db } }, (ctx) => ({
      passed: ctx.resources.db.url === 'db://db',
    }));
    const run = await materialize(definitions({ assets: [a], checks: [check] }));
    expect(run.checkResults[0]!.passed).toBe(true);
    expect(log).toEqual(['setup db db://db', 'teardown db']);
  });
});
