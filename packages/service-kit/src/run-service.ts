import { authKeysFromEnv } from '@switchboard/auth';
import { startTracing } from '@switchboard/observability';
import type { FastifyInstance } from 'fastify';

export interface RunServiceOptions {
  service: string;
  host: string;
  /** Where to listen; undefined: do not listen (a worker without its metrics endpoint). */
  port: number | undefined;
  /** The setting `port` comes from, named when it cannot be bound. Default `PORT`. */
  portSetting?: string;
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
export function requireAuthKeys(
  service: string,
  env: { JWT_SECRET?: string | undefined; JWT_PUBLIC_KEY?: string | undefined },
) {
  const keys = authKeysFromEnv(env);
  if (!keys) {
    console.error(
      `${service}: set JWT_SECRET (HS256) or JWT_PUBLIC_KEY (RS256/ES256); refusing to start without one`,
    );
    process.exit(1);
  }
  return keys;
}

/** How long a failed start waits for what it built (a worker with jobs in hand) to close. */
const FAILED_START_CLOSE_MS = 5_000;

/**
 * listen, then close gracefully once on SIGTERM/SIGINT; exit 1 with one clear line if startup
 * fails. Resolves once listening (or built, without a port), so the caller can announce readiness.
 */
export async function runService(options: RunServiceOptions): Promise<FastifyInstance> {
  const tracing = startTracing({ serviceName: options.service, endpoint: options.otelEndpoint });
  const app = await startOrExit(options);
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
  // shutdown() ends the process itself, on failure too.
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  return app;
}

async function startOrExit(options: RunServiceOptions): Promise<FastifyInstance> {
  let app: FastifyInstance | undefined;
  try {
    app = await options.build();
    if (options.port !== undefined) await listenOrExplain(app, options);
    else await app.ready();
    return app;
  } catch (error) {
    console.error(`${options.service}: failed to start: ${(error as Error).message}`);
    // What was built (a worker holding jobs, connections) is let go before exiting.
    // Exiting anyway: the start error above is the one to report, a failing close adds nothing.
    await Promise.race([
      app?.close(),
      new Promise((resolve) => setTimeout(resolve, FAILED_START_CLOSE_MS).unref()),
    ]).catch(() => undefined);
    process.exit(1);
  }
}

async function listenOrExplain(app: FastifyInstance, options: RunServiceOptions): Promise<void> {
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    throw new Error(
      `cannot listen on ${options.portSetting ?? 'PORT'} ${options.port}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
