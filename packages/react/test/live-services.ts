import { fileURLToPath } from 'node:url';
import { SwitchboardClient, type WebSocketConstructor } from '@switchboard/client';
import { createKeyspace } from '@switchboard/keyspace';
import { type Publisher, createPublisher } from '@switchboard/room-log';
import { type ServiceProcess, spawnService, tokenMinter } from '@switchboard/test-kit';
import { type RedisServer, startRedis } from '@switchboard/test-redis';
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';

const gatewayEntry = fileURLToPath(
  new URL('../../../apps/realtime-gateway/dist/server.js', import.meta.url),
);
const flagEntry = fileURLToPath(
  new URL('../../../apps/flag-service/dist/server.js', import.meta.url),
);
const secret = 'react-hooks-test-secret';

export interface LiveServices {
  gateways: ServiceProcess[];
  flags: ServiceProcess | undefined;
  publisher: Publisher;
  token: ReturnType<typeof tokenMinter>;
  /** A client of the given gateways (tried in turn on reconnect), with the `ws` package. */
  client(token: string, gateways?: ServiceProcess[]): SwitchboardClient;
  close(): Promise<void>;
}

/** Real gateways (and a flag service) as built, on a private Redis, for one test file. */
export async function startLiveServices(options: {
  gateways: number;
  flags?: boolean;
}): Promise<LiveServices> {
  const redis: RedisServer = await startRedis();
  const env = { REDIS_URL: redis.url, JWT_SECRET: secret };
  const gateways = await Promise.all(
    Array.from({ length: options.gateways }, (_, index) =>
      spawnService(
        gatewayEntry,
        { ...env, INSTANCE_ID: `hooks-gw-${index + 1}` },
        { readyPath: '/health/websocket' },
      ),
    ),
  );
  const flags = options.flags ? await spawnService(flagEntry, env) : undefined;
  const publisherRedis = new Redis(redis.url);
  const clients: SwitchboardClient[] = [];
  return {
    gateways,
    flags,
    publisher: createPublisher(publisherRedis, { keyspace: createKeyspace('') }),
    token: tokenMinter(secret),
    client(token, targets = gateways) {
      const client = new SwitchboardClient({
        url: targets.map((gateway) => `ws://127.0.0.1:${gateway.port}/ws`),
        token,
        WebSocket: WebSocket as unknown as WebSocketConstructor,
        reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
      });
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) client.close();
      publisherRedis.disconnect();
      await Promise.all([...gateways, ...(flags ? [flags] : [])].map((s) => s.stop('SIGKILL')));
      await redis.cleanup();
    },
  };
}
