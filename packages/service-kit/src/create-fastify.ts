import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { clientErrorHandler, frameworkErrorHandler } from '@switchboard/errors';
import { loggerOptions } from '@switchboard/observability';
import { clientIpResolver } from './client-ip.js';
import { DEFAULT_JSON_MAX_DEPTH, assertJsonDepth } from './json-depth.js';
import { splitCoercionValidator } from './split-coercion-validator.js';
import { tracedServerFactory } from './traced-server.js';
import { trace } from '@opentelemetry/api';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';

export type TypedFastify = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface FastifyFactoryOptions {
  service: string;
  logLevel?: string;
  instanceId?: string;
  /** Largest request body in bytes (default 1 MiB). */
  bodyLimit?: number;
  /**
   * Which peers' X-Forwarded-For to believe, so `request.ip` is the client behind HAProxy
   * (per-IP limits depend on it): a proxy-addr list (TRUSTED_PROXIES). Default: loopback only,
   * where the dev stack's load balancer runs; anyone else could forge the header. `false`
   * trusts none.
   */
  trustProxy?: boolean | string;
  /**
   * Longest path parameter the router accepts, in URL characters (default 512). Fastify's own
   * default (100) answered 414 to legal 101-128 character flag keys; 512 covers the longest id
   * any schema accepts (256) even partly percent-encoded, and stays bounded.
   */
  maxParamLength?: number;
  /** Deepest nesting a JSON body may have (default 64); deeper answers 400 VALIDATION_ERROR. */
  jsonMaxDepth?: number;
}

export const DEFAULT_MAX_PARAM_LENGTH = 512;

export const DEFAULT_TRUST_PROXY = 'loopback';

/** Fastify with the options every Switchboard service shares and the TypeBox type provider. */
export function createFastify(options: FastifyFactoryOptions): TypedFastify {
  const trustProxy = options.trustProxy ?? DEFAULT_TRUST_PROXY;
  const app = Fastify({
    logger: loggerOptions({
      service: options.service,
      level: options.logLevel ?? 'info',
      ...(options.instanceId ? { instanceId: options.instanceId } : {}),
    }),
    bodyLimit: options.bodyLimit ?? 1_048_576,
    // Ajv reports every failing field and never strips silently; see splitCoercionValidator.
    schemaController: { compilersFactory: { buildValidator: splitCoercionValidator() } },
    trustProxy,
    routerOptions: { maxParamLength: options.maxParamLength ?? DEFAULT_MAX_PARAM_LENGTH },
    // Router and HTTP-parser failures (414, 431, malformed requests) answer the envelope too.
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    serverFactory: tracedServerFactory(options.service),
    requestIdHeader: false,
    // The error plugin answers requests arriving during close with 503 in the envelope.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.decorate('clientIpOf', clientIpResolver(trustProxy));
  // A JSON Schema body cannot be optional as a whole; treat a POST/PUT/PATCH/DELETE without a
  // body as `{}` so endpoints whose fields are all optional (pause, resume) accept a bare call,
  // while a required field still answers 400 naming it.
  // Name the request's span after its route template once the route is known (a span that
  // records nothing, tracing off, is left alone). Both hooks run on every request: callback
  // style, which spares the promise and microtask of an async hook.
  app.addHook('onRequest', (request, _reply, done) => {
    const span = trace.getActiveSpan();
    if (span?.isRecording() && request.routeOptions.url)
      span.updateName(`${request.method} ${request.routeOptions.url}`);
    done();
  });
  const jsonMaxDepth = options.jsonMaxDepth ?? DEFAULT_JSON_MAX_DEPTH;
  app.addHook('preValidation', (request, _reply, done) => {
    if (request.body === undefined && request.method !== 'GET' && request.method !== 'HEAD')
      request.body = {};
    else
      try {
        assertJsonDepth(request.body, jsonMaxDepth);
      } catch (error) {
        done(error as Error);
        return;
      }
    done();
  });
  return app;
}
