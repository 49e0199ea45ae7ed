import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** Resolves when healthy; throws (or rejects) with the reason when not. */
export type HealthCheck = () => Promise<unknown> | unknown;

export interface HealthReport {
  status: 'ok' | 'unavailable';
  draining: boolean;
  checks: Record<string, { ok: boolean; durationMs: number; error?: string; info?: unknown }>;
}

export interface HealthPluginOptions {
  /** A check slower than this counts as failed (default 1000 ms). */
  checkTimeoutMs?: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    health: {
      addCheck(name: string, check: HealthCheck): void;
      /** Readiness answers 503 from now on (graceful drain), so load balancers stop routing here. */
      startDraining(): void;
      readonly draining: boolean;
      report(): Promise<HealthReport>;
    };
  }
}

async function runCheck(check: HealthCheck, timeoutMs: number) {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const running = Promise.resolve().then(check);
  // A check that loses the race may still fail later: the report already says it timed out.
  running.catch(() => undefined);
  try {
    const info = await Promise.race([
      running,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return {
      ok: true,
      durationMs: Math.round(performance.now() - started),
      ...(info === undefined ? {} : { info }),
    };
  } catch (error) {
    return {
      ok: false,
      durationMs: Math.round(performance.now() - started),
      error: (error as Error).message,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** `/health/live` (the process answers) and `/health/ready` (every registered check passes, not draining). */
async function health(app: FastifyInstance, options: HealthPluginOptions): Promise<void> {
  const checks = new Map<string, HealthCheck>();
  const timeoutMs = options.checkTimeoutMs ?? 1000;
  let draining = false;

  const report = async (): Promise<HealthReport> => {
    const entries = await Promise.all(
      [...checks].map(async ([name, check]) => [name, await runCheck(check, timeoutMs)] as const),
    );
    const results = Object.fromEntries(entries);
    const healthy = !draining && entries.every(([, result]) => result.ok);
    return { status: healthy ? 'ok' : 'unavailable', draining, checks: results };
  };

  app.decorate('health', {
    addCheck: (name: string, check: HealthCheck) => void checks.set(name, check),
    startDraining: () => void (draining = true),
    get draining() {
      return draining;
    },
    report,
  });

  app.get('/health/live', async () => ({ status: 'ok', uptimeSec: Math.round(process.uptime()) }));
  app.get('/health/ready', async (_request, reply) => {
    const result = await report();
    // A reply is thenable (it resolves once sent); setting its status or headers leaves nothing to await.
    void reply.status(result.status === 'ok' ? 200 : 503);
    return result;
  });
}

export const healthPlugin = fp(health, { name: '@switchboard/health', fastify: '5.x' });
