import { exitOnConfigError } from '@switchboard/config';
import { createKeyspace } from '@switchboard/keyspace';
import { roomLogSettings } from '@switchboard/room-log';
import { httpOptionsFrom, requireAuthKeys, runService } from '@switchboard/service-kit';
import { SERVICE_NAME, buildApp } from './app.js';
import { loadFlagsConfig } from './config.js';

const config = exitOnConfigError(SERVICE_NAME, () => loadFlagsConfig());
const auth = requireAuthKeys(SERVICE_NAME, config);

await runService({
  service: SERVICE_NAME,
  host: config.HOST,
  port: config.PORT,
  otelEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
  leaveRotationMs: config.DRAIN_MS,
  build: () =>
    buildApp({
      redisUrl: config.REDIS_URL,
      keyspace: createKeyspace(config.KEY_PREFIX),
      auth,
      logLevel: config.LOG_LEVEL,
      http: httpOptionsFrom(config),
      protection: config,
      roomLog: roomLogSettings(config),
    }),
});
