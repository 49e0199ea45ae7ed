import { createServer } from 'node:http';
import { exitOnConfigError } from '@switchboard/config';
import { createKeyspace } from '@switchboard/keyspace';
import { loggerOptions, startTracing } from '@switchboard/observability';
import { pino } from 'pino';
import { loadSandboxConfig } from './config.js';
import { startWorker } from './workers/index.js';
import { workerReadiness } from './workers/worker-readiness.js';

const SERVICE = 'sandbox-worker';
const config = exitOnConfigError(SERVICE, () => loadSandboxConfig());
const tracing = startTracing({ serviceName: SERVICE, endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
const log = pino(loggerOptions({ service: SERVICE, level: config.LOG_LEVEL }));
let closing = false;

const worker = await startWorker({ redisUrl: config.REDIS_URL, keyspace: createKeyspace(config.KEY_PREFIX), settings: config, logger: log });
worker.registry.setDefaultLabels({ service: SERVICE });

const readiness = () => workerReadiness(worker.runtime, closing);

// Workers are not HTTP services; a small endpoint lets Prometheus scrape execution metrics and
// supervisors probe liveness/readiness (same paths as the API).
const metricsServer =
  config.WORKER_METRICS_PORT > 0
    ? createServer((request, response) => {
        if (request.url === '/metrics') {
          void worker.registry.metrics().then((body) => response.writeHead(200, { 'content-type': worker.registry.contentType }).end(body));
        } else if (request.url === '/health/live') {
          response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
        } else if (request.url === '/health/ready') {
          void readiness().then(({ status, body }) => response.writeHead(status, { 'content-type': 'application/json' }).end(body));
        } else {
          response.writeHead(404).end();
        }
      }).listen(config.WORKER_METRICS_PORT, config.HOST)
    : undefined;

if (metricsServer) {
  // A port that cannot be bound is a startup failure: say so and stop, rather than crash later
  // on an unhandled 'error' event with jobs in hand.
  try {
    await new Promise<void>((resolve, reject) => {
      metricsServer.once('listening', resolve);
      metricsServer.once('error', reject);
    });
  } catch (error) {
    log.error({ err: error }, `${SERVICE}: failed to start: cannot listen on WORKER_METRICS_PORT ${config.WORKER_METRICS_PORT}`);
    await worker.close();
    process.exit(1);
  }
  metricsServer.on('error', (error) => log.error({ err: error }, 'worker metrics endpoint failed'));
}

log.info({ pid: process.pid, freeze: worker.runtime.driver.capabilities() }, 'sandbox worker ready');

async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  log.info({ signal }, 'worker shutting down');
  const timer = setTimeout(() => process.exit(1), 30_000);
  timer.unref();
  metricsServer?.close();
  await worker.close();
  await tracing.shutdown();
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
