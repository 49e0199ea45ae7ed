import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources in tests, so no rebuild is needed.
export default defineConfig({
  resolve: { conditions: ['@switchboard/source'] },
  ssr: { resolve: { conditions: ['@switchboard/source'] } },
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    setupFiles: ['test-support/print-stack-logs-on-failure.ts'],
  },
});
