import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { identityMapping, timeWindowMapping } from '../../src/mappings/index.js';
import {
  dailyPartitions,
  hourlyPartitions,
  monthlyPartitions,
  staticPartitions,
  weeklyPartitions,
} from '../../src/partitions/index.js';
import type { PartitionsDefinition } from '../../src/partitions/partitions-definition.js';
import { NOW } from './helpers.js';

const tz = 'America/New_York';
const defs: Record<string, PartitionsDefinition> = {
  hourly: hourlyPartitions({ start: '2024-01-01-00:00', timezone: tz }),
  daily: dailyPartitions({ start: '2024-01-01', timezone: tz }),
  laterDaily: dailyPartitions({ start: '2024-02-10', timezone: tz }),
  weekly: weeklyPartitions({ start: '2024-01-07', timezone: tz }),
  monthly: monthlyPartitions({ start: '2024-01-01', timezone: tz }),
};
const names = Object.keys(defs);

describe('mapping round trips', () => {
  it('identity: downstreamKeys(upstreamKeys(d)) contains d', () => {
    const letters = staticPartitions(['a', 'b', 'c', 'd', 'e']);
    const m = identityMapping();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 }), (i) => {
        const d = letters.keyAt(i);
        const ups = m.upstreamKeys({ downstreamKeys: [d], downstream: letters, upstream: letters });
        const back = m.downstreamKeys({
          upstreamKeys: ups,
          downstream: letters,
          upstream: letters,
        });
        expect(back).toContain(d);
      }),
    );
  });

  it('timeWindow: every upstream key maps back to d, and downstreamKeys(upstreamKeys(d)) contains d', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...names),
        fc.constantFrom(...names),
        fc.integer({ min: -3, max: 2 }),
        fc.integer({ min: 0, max: 3 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (downName, upName, startOffset, width, at) => {
          const downstream = defs[downName]!;
          const upstream = defs[upName]!;
          const m = timeWindowMapping({ startOffset, endOffset: startOffset + width });
          const count = downstream.count({ now: NOW });
          const d = downstream.keyAt(Math.min(count - 1, Math.floor(at * count)), { now: NOW });
          const args = { downstream, upstream, now: NOW };
          const ups = m.upstreamKeys({ ...args, downstreamKeys: [d] });
          if (ups.length === 0) return;
          expect(m.downstreamKeys({ ...args, upstreamKeys: ups })).toContain(d);
          for (const u of ups) {
            expect(m.downstreamKeys({ ...args, upstreamKeys: [u] })).toContain(d);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
