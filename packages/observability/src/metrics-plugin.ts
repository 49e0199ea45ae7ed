import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';

declare module 'fastify' {
  interface FastifyInstance {
    /** This app's Prometheus registry: register app metrics here, not in the global one. */
    metrics: Registry;
  }
  interface FastifyRequest {
    metricsStartedAt: bigint;
  }
}

export interface MetricsPluginOptions {
  service: string;
  /** Constant labels on every series, e.g. { instance: 'gw-1' }. */
  labels?: Record<string, string>;
  /** Collect Node process metrics (default true). */
  defaultMetrics?: boolean;
}

/** Status codes as label values, made once each rather than per request. */
const STATUS_LABELS = Array.from({ length: 600 }, (_, code) => String(code));
const statusLabel = (code: number): string => STATUS_LABELS[code] ?? String(code);

/**
 * A registry per app (tests build many apps in one process), default Node metrics,
 * `http_request_duration_seconds` by route, and `GET /metrics` in Prometheus text format.
 */
async function metrics(app: FastifyInstance, options: MetricsPluginOptions): Promise<void> {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service, ...options.labels });
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route, method and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  app.decorate('metrics', registry);
  app.decorateRequest('metricsStartedAt', 0n);
  // Both hooks run on every request: callback style spares an async hook's promise and microtask.
  app.addHook('onRequest', (request: FastifyRequest, _reply, done) => {
    request.metricsStartedAt = process.hrtime.bigint();
    done();
  });
  app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    if (route !== '/metrics')
      duration.observe(
        { method: request.method, route, status_code: statusLabel(reply.statusCode) },
        Number(process.hrtime.bigint() - request.metricsStartedAt) / 1e9,
      );
    done();
  });
  app.get('/metrics', async (_request, reply) => {
    // A reply is thenable (it resolves once sent); setting its status or headers leaves nothing to await.
    void reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
}

export const metricsPlugin = fp(metrics, { name: '@switchboard/metrics', fastify: '5.x' });
