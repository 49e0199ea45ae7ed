import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { type SandboxQuotas, createSandboxQuotas } from '../domain/sandbox-quota.js';

declare module 'fastify' {
  interface FastifyInstance {
    sandboxQuotas: SandboxQuotas;
  }
}

/** Per-dealership quotas (SANDBOX_QUOTA_PER_DEALERSHIP, SANDBOX_AUTO_PAUSE_QUOTA_PER_DEALERSHIP) over the app's Redis. */
async function sandboxQuota(app: FastifyInstance): Promise<void> {
  const { settings, keyspace } = app.sandbox;
  app.decorate(
    'sandboxQuotas',
    createSandboxQuotas({
      redis: app.redis,
      keyspace,
      limits: {
        sandboxes: settings.SANDBOX_QUOTA_PER_DEALERSHIP,
        'auto-pause-schedules': settings.SANDBOX_AUTO_PAUSE_QUOTA_PER_DEALERSHIP,
      },
    }),
  );
}

export const sandboxQuotaPlugin = fp(sandboxQuota, {
  name: 'sandbox-quota',
  fastify: '5.x',
  dependencies: ['sandbox-runtime'],
});
