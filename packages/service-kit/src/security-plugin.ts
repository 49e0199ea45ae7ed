import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { HelmetOptions } from 'helmet';
import { type HeaderList, helmetHeaders } from './security-headers.js';

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
  const global: HelmetOptions = {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
  };
  const globalHeaders = helmetHeaders(global);
  // A route's own options (`config.helmet`), merged over the app's, taken once per route.
  const routeHeaders = new WeakMap<HelmetOptions, HeaderList>();
  const headersOf = (own: HelmetOptions | false | undefined): HeaderList => {
    if (own === undefined) return globalHeaders;
    if (own === false) return [];
    let headers = routeHeaders.get(own);
    if (!headers) {
      headers = helmetHeaders(Object.assign({}, global, own) as HelmetOptions);
      routeHeaders.set(own, headers);
    }
    return headers;
  };
  // On every request, before anything can answer, so errors carry them too.
  app.addHook('onRequest', (request, reply, done) => {
    const headers = headersOf(request.routeOptions.config?.helmet);
    for (const [name, value] of headers) reply.raw.setHeader(name, value);
    done();
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
