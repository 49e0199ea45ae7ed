import { defineConfig } from 'vitest/config';

// The hooks render into jsdom (test/dom.ts) and talk to real gateways over the `ws` package.
export default defineConfig({
  resolve: { conditions: ['@switchboard/source'] },
  ssr: { resolve: { conditions: ['@switchboard/source'] } },
  test: { setupFiles: ['test/dom.ts'], testTimeout: 20_000, hookTimeout: 60_000, pool: 'forks' },
});
