import { type MemoryStalenessReader, memoryStalenessReader } from '../../src/versioning/index.js';

/** A reader whose clock advances one minute per event, so "latest" is never a tie. */
export function steppingReader(start = '2024-03-05T00:00:00Z'): MemoryStalenessReader {
  let t = Date.parse(start);
  return memoryStalenessReader({
    now: () => {
      t += 60_000;
      return new Date(t);
    },
  });
}
