import { describeServerConfig } from '@switchboard/test-kit';

// The built server, as `pnpm --filter @switchboard/sandbox-service start` runs it.
describeServerConfig('sandbox-service', new URL('../dist/server.js', import.meta.url));
