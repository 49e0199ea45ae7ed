import { defineConfig } from 'vitest/config';

// End-to-end tests through HAProxy against the real topology (tools/stack/e2e): each file
// starts its own stack, so files run one after another.
export default defineConfig({
  resolve: { conditions: ['@switchboard/source'] },
  ssr: { resolve: { conditions: ['@switchboard/source'] } },
  test: {
    include: ['e2e/**/*.e2e.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    setupFiles: ['test-support/print-stack-logs-on-failure.ts'],
  },
});
