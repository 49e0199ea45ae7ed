import { fileURLToPath } from 'node:url';
import { type ServiceProcess, spawnService } from '@switchboard/test-kit';
import { TEST_SECRET } from './helper.js';

const server = fileURLToPath(new URL('../dist/server.js', import.meta.url));

export interface GatewayProcess extends ServiceProcess {
  instanceId: string;
  url: string;
}

/** `node dist/server.js` as deployed (build first), on a free port, ready when /health/websocket says 200. */
export async function spawnGateway(
  redisUrl: string,
  instanceId: string,
  env: Record<string, string> = {},
): Promise<GatewayProcess> {
  const gateway = await spawnService(
    server,
    {
      REDIS_URL: redisUrl,
      JWT_SECRET: TEST_SECRET,
      INSTANCE_ID: instanceId,
      DRAIN_MS: '2000',
      ...env,
    },
    { readyPath: '/health/websocket' },
  );
  return { ...gateway, instanceId, url: `ws://127.0.0.1:${gateway.port}/ws` };
}
