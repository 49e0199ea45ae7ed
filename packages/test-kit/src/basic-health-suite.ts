import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';

/** Liveness, readiness with a Redis check, metrics labelled with the service, and the 404 envelope. */
export function describeBasicHealth(service: string, build: () => Promise<FastifyInstance>): void {
  describe(`${service} health and metrics`, () => {
    let app: FastifyInstance | undefined;
    afterEach(async () => {
      await app?.close();
      app = undefined;
    });

    it('is live, ready with Redis, and exposes metrics', async () => {
      app = await build();
      expect((await app.inject('/health/live')).statusCode).toBe(200);
      const ready = await app.inject('/health/ready');
      expect(ready.statusCode).toBe(200);
      expect(ready.json().checks.redis.ok).toBe(true);
      expect((await app.inject('/metrics')).body).toContain(`service="${service}"`);
    });

    it('answers unknown routes with the error envelope', async () => {
      app = await build();
      const res = await app.inject('/no/such/route');
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ success: false, error: { code: 'RECORD_NOT_FOUND' } });
    });
  });
}
