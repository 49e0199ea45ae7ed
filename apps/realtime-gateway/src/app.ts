import { type FlagReader, staticFlagReader } from '@switchboard/flags';
import {
  type PlatformAppOptions,
  type TypedFastify,
  createPlatformApp,
} from '@switchboard/service-kit';
import { instanceIdFrom } from './config.js';
import { DEFAULT_GATEWAY_OPTIONS, type GatewayOptions } from './gateway-options.js';
import { realtimePlugin } from './plugins/realtime-plugin.js';
import { websocketHealthPlugin } from './plugins/websocket-health.js';
import { serverApiPlugin } from './server-api/server-api-plugin.js';

export const SERVICE_NAME = 'realtime-gateway';

export interface AppOptions
  extends PlatformAppOptions, Partial<Omit<GatewayOptions, 'instanceId' | 'flags'>> {
  /** Default: a random id. */
  instanceId?: string;
  /** Feature flags (REDIS_WEBSOCKET_SCALING); default: every flag on. */
  flags?: FlagReader;
}

/** Builds the realtime gateway without listening: server.ts listens, tests use real sockets. */
export async function buildApp(options: AppOptions): Promise<TypedFastify> {
  // What is left once the platform's and the gateway's own fields are taken out: its timings.
  const {
    redisUrl,
    flags,
    keyspace,
    auth: _auth,
    logLevel: _logLevel,
    redis: _redis,
    http: _http,
    protection: _protection,
    instanceId: _instanceId,
    ...timing
  } = options;
  const instanceId = options.instanceId ?? instanceIdFrom({ INSTANCE_ID: undefined });
  const gatewayOptions: GatewayOptions = {
    ...DEFAULT_GATEWAY_OPTIONS,
    ...definedOnly(timing),
    instanceId,
    flags: flags ?? staticFlagReader(),
  };
  const app = await createPlatformApp(
    {
      service: SERVICE_NAME,
      instanceId,
      acceptServiceTokens: true,
      docs: {
        title: 'Switchboard realtime gateway',
        description: 'WebSocket protocol: docs/api/websocket.md',
      },
    },
    options,
  );
  await app.register(realtimePlugin, { redisUrl, keyspace, gateway: gatewayOptions });
  await app.register(websocketHealthPlugin);
  await app.register(serverApiPlugin, {
    keyspace,
    offlineQueueMax: gatewayOptions.offlineQueueMax,
    offlineQueueTtlSec: gatewayOptions.offlineQueueTtlSec,
    instanceStaleMs: gatewayOptions.instanceStaleMs,
  });
  return app;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, entry]) => entry !== undefined),
  ) as Partial<T>;
}
