import { describeServerConfig } from '@switchboard/test-kit';

// The built server, as `pnpm --filter @switchboard/flag-service start` runs it.
describeServerConfig('flag-service', new URL('../dist/server.js', import.meta.url));
