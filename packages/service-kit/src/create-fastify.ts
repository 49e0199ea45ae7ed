import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { loggerOptions } from '@switchboard/observability';
import { splitCoercionValidator } from './split-coercion-validator.js';
import { tracedServerFactory } from './traced-server.js';
import { trace } from '@opentelemetry/api';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawReplyDefaultExpression, type RawRequestDefaultExpression, type RawServerDefault } from 'fastify';

export type TypedFastify = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

export interface FastifyFactoryOptions {
  service: string;
  logLevel?: string;
  instanceId?: string;
  /** Largest request body in bytes (default 1 MiB). */
  bodyLimit?: number;
  /**
   * Which proxies' X-Forwarded-For to believe, so `request.ip` is the client behind HAProxy
   * (per-IP limits depend on it). Default: loopback and private networks, where our load
   * balancer runs; `false` trusts none.
   */
  trustProxy?: boolean | string;
}

export const DEFAULT_TRUST_PROXY = 'loopback,linklocal,uniquelocal';

/** Fastify with the options every Switchboard service shares and the TypeBox type provider. */
export function createFastify(options: FastifyFactoryOptions): TypedFastify {
  const app = Fastify({
    logger: loggerOptions({ service: options.service, level: options.logLevel ?? 'info', ...(options.instanceId ? { instanceId: options.instanceId } : {}) }),
    bodyLimit: options.bodyLimit ?? 1_048_576,
    // Ajv reports every failing field and never strips silently; see splitCoercionValidator.
    schemaController: { compilersFactory: { buildValidator: splitCoercionValidator() } },
    trustProxy: options.trustProxy ?? DEFAULT_TRUST_PROXY,
    serverFactory: tracedServerFactory(options.service),
    requestIdHeader: false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  }).withTypeProvider<TypeBoxTypeProvider>();
  // A JSON Schema body cannot be optional as a whole; treat a POST/PUT/PATCH/DELETE without a
  // body as `{}` so endpoints whose fields are all optional (pause, resume) accept a bare call,
  // while a required field still answers 400 naming it.
  // Name the request's span after its route template once the route is known.
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.url) trace.getActiveSpan()?.updateName(`${request.method} ${request.routeOptions.url}`);
  });
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && request.method !== 'GET' && request.method !== 'HEAD') request.body = {};
  });
  return app;
}
