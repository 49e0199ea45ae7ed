import { type BaseConfig, type ProtectionConfig, exitOnConfigError } from '@switchboard/config';
import { type PlatformAppOptions, platformAppOptionsFrom } from './platform-app.js';
import { type RunServiceOptions, runService } from './run-service.js';

/** The settings runPlatformService reads itself: the base and protection env, and a PORT. */
type PlatformServiceConfig = BaseConfig & ProtectionConfig & { PORT: number };

/** What the service decides from its config; where it listens and traces comes from the config. */
type PlatformServiceRun = Omit<
  RunServiceOptions,
  'service' | 'host' | 'port' | 'portSetting' | 'otelEndpoint'
>;

/**
 * An HTTP service's whole start: load its config (exit with one clear line if invalid), require
 * JWT keys, derive the platform options (Redis, keyspace, HTTP edge, protection) and runService
 * on HOST:PORT with OTEL_EXPORTER_OTLP_ENDPOINT. `run` adds the service's own build and shutdown.
 */
export async function runPlatformService<Config extends PlatformServiceConfig>(
  service: string,
  loadConfig: () => Config,
  run: (config: Config, platform: PlatformAppOptions) => PlatformServiceRun,
): ReturnType<typeof runService> {
  const config = exitOnConfigError(service, loadConfig);
  const platform = platformAppOptionsFrom(service, config);
  return runService({
    service,
    host: config.HOST,
    port: config.PORT,
    otelEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
    ...run(config, platform),
  });
}
