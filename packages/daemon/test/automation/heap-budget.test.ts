import { describe, expect, it } from 'vitest';
import { HeapBudget } from '../../src/automation/collect-garbage.js';

describe('HeapBudget', () => {
  it('collects once the heap outgrows its slack, and not before', () => {
    const budget = new HeapBudget(8 * 1024 * 1024);
    budget.check();
    expect(budget.collections).toBe(0);
    // ~32 MB held (well past the slack): the next check collects.
    let held: number[][] | undefined = Array.from({ length: 2000 }, () => new Array(2000).fill(1));
    budget.check();
    expect(budget.collections).toBe(1);
    // Still held, but the floor moved up with it: no collection.
    budget.check();
    expect(budget.collections).toBe(1);
    expect(held.length).toBe(2000);
    held = undefined;
  });
});
