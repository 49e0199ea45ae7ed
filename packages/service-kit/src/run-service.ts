import { authKeysFromEnv } from '@switchboard/auth';
import { startTracing } from '@switchboard/observability';
import type { FastifyInstance } from 'fastify';

export interface RunServiceOptions {
  service: string;
  host: string;
  port: number;
  otelEndpoint?: string | undefined;
  /** Builds the app (not listening yet). */
  build: () => Promise<FastifyInstance>;
  /** Runs first on SIGTERM/SIGINT, before the server closes (e.g. a WebSocket drain). */
  beforeClose?: (app: FastifyInstance) => Promise<void>;
  /** Longest a shutdown may take before the process exits anyway. Default 30 s. */
  shutdownTimeoutMs?: number;
  /**
   * HTTP services: on SIGTERM answer 503 on /health/ready at once but keep serving this long,
   * so the load balancer takes the instance out of rotation before it stops accepting (HAProxy
   * needs ~1.5 s). Requests in flight and arriving meanwhile are served normally.
   */
  leaveRotationMs?: number;
}

/** Refuses to start without JWT_SECRET or JWT_PUBLIC_KEY (SPEC.md, Configuration). */
export function requireAuthKeys(service: string, env: { JWT_SECRET?: string | undefined; JWT_PUBLIC_KEY?: string | undefined }) {
  const keys = authKeysFromEnv(env);
  if (!keys) {
    console.error(`${service}: set JWT_SECRET (HS256) or JWT_PUBLIC_KEY (RS256/ES256); refusing to start without one`);
    process.exit(1);
  }
  return keys;
}

/** listen, then close gracefully once on SIGTERM/SIGINT; exit non-zero if startup fails. */
export async function runService(options: RunServiceOptions): Promise<FastifyInstance> {
  const tracing = startTracing({ serviceName: options.service, endpoint: options.otelEndpoint });
  let app: FastifyInstance;
  try {
    app = await options.build();
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    console.error(`${options.service}: failed to start: ${(error as Error).message}`);
    process.exit(1);
  }
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      app.log.error('shutdown timed out; exiting');
      process.exit(1);
    }, options.shutdownTimeoutMs ?? 30_000);
    timer.unref();
    try {
      if (options.leaveRotationMs) {
        app.health.startDraining();
        await new Promise((resolve) => setTimeout(resolve, options.leaveRotationMs));
      }
      await options.beforeClose?.(app);
      await app.close();
      await tracing.shutdown();
      process.exit(0);
    } catch (error) {
      app.log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  return app;
}
