import { describeServerConfig } from '@switchboard/test-kit';

// The built server, as `pnpm --filter @switchboard/realtime-gateway start` runs it.
describeServerConfig('realtime-gateway', new URL('../dist/server.js', import.meta.url));
