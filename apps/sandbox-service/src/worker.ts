import { exitOnConfigError } from '@switchboard/config';
import { createKeyspace } from '@switchboard/keyspace';
import { loggerOptions } from '@switchboard/observability';
import { runService } from '@switchboard/service-kit';
import { pino } from 'pino';
import { loadSandboxConfig } from './config.js';
import { type SandboxWorker, startWorker } from './workers/index.js';
import { addWorkerChecks, createWorkerEndpoint } from './workers/worker-endpoint.js';

const SERVICE = 'sandbox-worker';
const config = exitOnConfigError(SERVICE, () => loadSandboxConfig());
const log = pino(loggerOptions({ service: SERVICE, level: config.LOG_LEVEL }));
let worker: SandboxWorker | undefined;

// The same start and graceful stop as the HTTP services: a port that cannot be bound exits 1
// with one line before the worker counts as ready; SIGTERM turns readiness 503, closes the
// endpoint, then lets running jobs finish (onClose) within the shutdown timeout.
await runService({
  service: SERVICE,
  host: config.HOST,
  port: config.WORKER_METRICS_PORT > 0 ? config.WORKER_METRICS_PORT : undefined,
  portSetting: 'WORKER_METRICS_PORT',
  otelEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
  build: async () => {
    const endpoint = await createWorkerEndpoint({ service: SERVICE, logLevel: config.LOG_LEVEL });
    const started = await startWorker({
      redisUrl: config.REDIS_URL,
      keyspace: createKeyspace(config.KEY_PREFIX),
      settings: config,
      logger: log,
      registry: endpoint.metrics,
    });
    worker = started;
    addWorkerChecks(endpoint, started.runtime);
    endpoint.addHook('onClose', () => started.close());
    return endpoint;
  },
  beforeClose: async (endpoint) => {
    endpoint.health.startDraining();
  },
});

log.info(
  { pid: process.pid, freeze: worker?.runtime.driver.capabilities() },
  'sandbox worker ready',
);
