/**
 * Deterministic fake data: the same partition always yields the same rows, so runs, tests and
 * docs agree. A tiny seeded PRNG (mulberry32) keyed by the partition stands in for real sources.
 */

function seedOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** A seeded random number generator returning floats in [0, 1). */
export function rng(seedText: string): () => number {
  let a = seedOf(seedText);
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One order as the source system delivers it. */
export interface RawOrder {
  id: string;
  day: string;
  region: string;
  customer: string;
  total: number;
}

/**
 * Orders of one day in one region. About 1 in 40 orders has a negative total (a refund booked as
 * an order): the cleaning step drops them, and the blocking check proves it did.
 */
export function generateOrders(day: string, region: string): RawOrder[] {
  const rand = rng(`${day}|${region}`);
  const n = 20 + Math.floor(rand() * 30);
  return Array.from({ length: n }, (_, i) => {
    const negative = rand() < 0.025;
    const amount = Math.round((5 + rand() * 195) * 100) / 100;
    return {
      id: `${region}-${day}-${i}`,
      day,
      region,
      customer: `c${Math.floor(rand() * 500)}`,
      total: negative ? -amount : amount,
    };
  });
}

/** Page views in one hour (an hourly source). */
export function generatePageViews(hourKey: string): number {
  const rand = rng(`views|${hourKey}`);
  return 100 + Math.floor(rand() * 900);
}
