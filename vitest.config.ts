import { defineConfig } from 'vitest/config';

// Tests import workspace packages from their TypeScript sources (the "@cairn/source"
// export condition), so `npm test` needs no build step.
export default defineConfig({
  resolve: { conditions: ['@cairn/source'] },
  ssr: { resolve: { conditions: ['@cairn/source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    testTimeout: 20_000,
    pool: 'forks',
  },
});
