import { exitOnConfigError } from '@switchboard/config';
import { FLAGS, startServiceFlags } from '@switchboard/flags';
import { createKeyspace } from '@switchboard/keyspace';
import { httpOptionsFrom, requireAuthKeys, runService } from '@switchboard/service-kit';
import { SERVICE_NAME, buildApp } from './app.js';
import { loadSandboxConfig } from './config.js';

const config = exitOnConfigError(SERVICE_NAME, () => loadSandboxConfig());
const auth = requireAuthKeys(SERVICE_NAME, config);
const keyspace = createKeyspace(config.KEY_PREFIX);

await runService({
  service: SERVICE_NAME,
  host: config.HOST,
  port: config.PORT,
  otelEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
  leaveRotationMs: config.DRAIN_MS,
  build: async () => {
    // Flags are read live from Redis through the in-process SDK (changes apply in milliseconds).
    const flags = await startServiceFlags({
      service: SERVICE_NAME,
      redisUrl: config.REDIS_URL,
      keyspace,
      ensure: [
        {
          key: FLAGS.SANDBOX_PAUSE_RESUME,
          enabled: config.FLAG_SANDBOX_PAUSE_RESUME,
          description: 'Gates sandbox pause, resume, bulk, pause-history and pause-settings.',
        },
      ],
    });
    const app = await buildApp({
      redisUrl: config.REDIS_URL,
      keyspace,
      auth,
      logLevel: config.LOG_LEVEL,
      http: httpOptionsFrom(config),
      settings: config,
      protection: config,
      flags: flags.client,
    });
    flags.registerMetrics(app.metrics);
    app.addHook('onClose', flags.close);
    return app;
  },
});
