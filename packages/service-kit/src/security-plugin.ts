import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export interface SecurityOptions {
  /** Exact origins a browser may call from; empty (the default) allows none. */
  corsOrigins?: string[];
}

/**
 * Security headers on every answer and CORS for the configured origins only. The APIs answer
 * JSON, so the content security policy allows nothing; the Swagger UI at /docs sends its own
 * (swagger-ui `staticCSP`), which replaces this one on its routes.
 */
async function security(app: FastifyInstance, options: SecurityOptions): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
  });
  const allowed = new Set(options.corsOrigins ?? []);
  await app.register(cors, {
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'if-match', 'traceparent'],
    exposedHeaders: ['x-trace-id', 'retry-after', 'idempotent-replayed', 'etag'],
    maxAge: 600,
  });
}

export const securityPlugin = fp(security, { name: '@switchboard/security', fastify: '5.x' });
