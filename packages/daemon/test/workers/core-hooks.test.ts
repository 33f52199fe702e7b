import { AsyncLocalStorage } from 'node:async_hooks';
import {
  asset,
  buildPlan,
  definitions,
  executePlan,
  filesystemIOManager,
  isImplicitDefaultIOManager,
  memoryIOManager,
} from '@cairn/core';
import { describe, expect, it } from 'vitest';

// The two small additions to core the workers rely on, tested where they are used.
describe('core hooks used by the workers', () => {
  it('aroundStep runs each step, its awaits included, inside the host context', async () => {
    const als = new AsyncLocalStorage<string>();
    const seen: Record<string, string | undefined> = {};
    const make = (key: string) =>
      asset({ key }, async () => {
        await new Promise((r) => setTimeout(r, 5));
        seen[key] = als.getStore();
        return key;
      });
    const defs = definitions({ assets: [make('a'), make('b')] });
    const wrapped: string[] = [];
    const result = await executePlan(defs, buildPlan(defs), {
      runId: 'r1',
      aroundStep: (step, run) => {
        wrapped.push(step.key);
        return als.run(`ctx:${step.key}`, run);
      },
    });
    expect(result.status).toBe('success');
    expect(wrapped.sort()).toEqual(['a', 'b']);
    expect(seen).toEqual({ a: 'ctx:a', b: 'ctx:b' });
  });

  it("isImplicitDefaultIOManager tells core's implicit default from a configured one", () => {
    expect(isImplicitDefaultIOManager(definitions({}).ioManagers.default)).toBe(true);
    const mine = memoryIOManager();
    expect(
      isImplicitDefaultIOManager(definitions({ ioManagers: { default: mine } }).ioManagers.default),
    ).toBe(false);
    expect(isImplicitDefaultIOManager(filesystemIOManager({ baseDir: '/tmp/x' }))).toBe(false);
    expect(isImplicitDefaultIOManager(undefined)).toBe(false);
  });
});
