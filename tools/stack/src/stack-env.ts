import { type Static, Type } from '@sinclair/typebox';
import { loadConfig } from '@switchboard/config';

const count = (fallback: number, description: string) =>
  Type.Integer({ default: fallback, minimum: 0, maximum: 50, description });
const port = (fallback: number, description: string) =>
  Type.Integer({ default: fallback, minimum: 0, maximum: 65535, description });

/**
 * The dev stack's own knobs (docs/operations.md). Service variables (REDIS_URL, JWT_SECRET,
 * KEY_PREFIX, LOG_LEVEL, OTEL_EXPORTER_OTLP_ENDPOINT, ...) pass through to every instance.
 * A base port of 0 gives every instance of that kind a free port chosen by the OS.
 */
export const StackEnv = Type.Object({
  REDIS_URL: Type.String({
    default: 'redis://127.0.0.1:6379',
    pattern: '^(redis|rediss|redis\\+cluster)://',
  }),
  GATEWAY_INSTANCES: count(3, 'realtime-gateway instances'),
  SANDBOX_INSTANCES: count(2, 'sandbox-service API instances'),
  SANDBOX_WORKERS: count(1, 'sandbox-service worker processes'),
  FLAG_INSTANCES: count(2, 'flag-service instances'),
  HAPROXY_PORT: port(8080, 'public port of the load balancer'),
  HAPROXY_STATS_PORT: port(8404, 'HAProxy stats page and Prometheus exporter'),
  GATEWAY_BASE_PORT: port(3301, 'first gateway port; instance i listens on base + i - 1'),
  SANDBOX_BASE_PORT: port(3101, 'first sandbox API port'),
  SANDBOX_WORKER_BASE_PORT: port(3151, 'first sandbox worker metrics port (WORKER_METRICS_PORT)'),
  FLAG_BASE_PORT: port(3201, 'first flag-service port'),
  STACK_PROMETHEUS: Type.Boolean({
    default: true,
    description: 'also run Prometheus (when the binary is installed) with infra/prometheus',
  }),
  PROMETHEUS_PORT: port(9090, 'Prometheus UI/API port of the dev stack'),
  STACK_STATE_DIR: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'generated files (haproxy.cfg, jwt-secret, redis and prometheus data); default <repo>/.switchboard',
    }),
  ),
  STACK_HOST: Type.String({ default: '127.0.0.1', description: 'address the instances listen on' }),
  STACK_READY_TIMEOUT_SEC: Type.Integer({
    default: 90,
    minimum: 1,
    description: 'how long to wait for every instance to be ready',
  }),
  STACK_SMOKE: Type.Boolean({ default: false, description: 'start, check health, print, stop' }),
});
export type StackSettings = Static<typeof StackEnv>;

export function loadStackSettings(
  env: Record<string, string | undefined> = process.env,
): StackSettings {
  return loadConfig(StackEnv, env);
}
