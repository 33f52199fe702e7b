import { defineConfig } from 'vitest/config';

// Tests import workspace packages from their TypeScript sources (the "@cairn/source"
// export condition), so `npm test` needs no build step.
export default defineConfig({
  resolve: { conditions: ['@cairn/source'] },
  ssr: { resolve: { conditions: ['@cairn/source'] } },
  // Lower TC39 decorators (Node 20-24 cannot run them natively); esnext would leave them as is.
  esbuild: { target: 'es2022' },
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'packages/ui/e2e/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
    ],
    testTimeout: 20_000,
    pool: 'forks',
  },
});
