import { createHash } from 'node:crypto';
import { AppError, ErrorCode } from '@switchboard/errors';
import type { Keyspace } from '@switchboard/keyspace';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  preHandlerAsyncHookHandler,
} from 'fastify';
import fp from 'fastify-plugin';
// Type augmentations this plugin relies on: `request.principal` and `app.redis`.
import type {} from '@switchboard/auth';
import type {} from '@switchboard/redis';
import type { Cluster, Redis } from 'ioredis';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'idempotent-replayed';

export interface IdempotencyOptions {
  /**
   * Namespaces the keys, e.g. `sandbox`; the caller's dealership and `sub` and the route
   * (method + template) are always part of the key too.
   */
  scope: string;
  /** Defaults to `app.redis` (registered by the platform plugin). */
  redis?: Redis | Cluster;
  keyspace: Keyspace;
  /** How long a finished response is replayed. Default 24 h (SPEC.md, Envelopes). */
  ttlSec?: number;
  /**
   * How long a request may stay in flight before its reservation lapses (a crashed instance
   * must not block the key for 24 h). Must exceed the slowest idempotent route. Default 5 min.
   */
  inFlightTtlSec?: number;
}

/** What Redis holds under one key: a reservation while the first request runs, then its response. */
type StoredRecord =
  | { state: 'in-flight'; fingerprint: string }
  | {
      state: 'done';
      fingerprint: string;
      statusCode: number;
      contentType: string | undefined;
      body: string;
    };

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * preHandler for mutating routes: put it after `app.authenticate` (the key is scoped to
     * the principal's dealership and `sub`, and to the route). Without an `Idempotency-Key`
     * header it does nothing.
     */
    idempotent: preHandlerAsyncHookHandler;
  }
  interface FastifyRequest {
    /** The Redis key reserved by this request, so onSend stores the response under it. */
    idempotencyRecordKey: string | undefined;
    idempotencyFingerprint: string | undefined;
  }
}

/** Same route + same body = same request; keys of JSON objects are sorted so field order does not matter. */
export function fingerprintOf(method: string, url: string, body: unknown): string {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.keys(value as Record<string, unknown>)
          .sort()
          .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
      );
    }
    return value;
  };
  return createHash('sha256')
    .update(`${method} ${url}\n${JSON.stringify(canonical(body ?? null))}`)
    .digest('hex');
}

async function idempotency(app: FastifyInstance, options: IdempotencyOptions): Promise<void> {
  const ks = options.keyspace;
  const ttlMs = (options.ttlSec ?? 86_400) * 1000;
  const inFlightMs = (options.inFlightTtlSec ?? 300) * 1000;
  const redis = () => options.redis ?? app.redis;

  app.decorateRequest('idempotencyRecordKey', undefined);
  app.decorateRequest('idempotencyFingerprint', undefined);

  app.decorate(
    'idempotent',
    async function idempotent(request: FastifyRequest, reply: FastifyReply) {
      const header = request.headers[IDEMPOTENCY_HEADER];
      if (header === undefined) return;
      const key = Array.isArray(header) ? header[0] : header;
      if (!key || key.length > 255 || !/^[\x21-\x7e]+$/.test(key)) {
        throw new AppError(
          ErrorCode.VALIDATION_ERROR,
          'Idempotency-Key must be 1-255 visible ASCII characters.',
          { header: 'Idempotency-Key' },
        );
      }
      const { dealershipId, sub } = request.principal;
      // The route template, not the URL: one record per endpoint, whatever ids the URL carries.
      const route = `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`;
      const recordKey = ks.idempotency.record(options.scope, dealershipId, sub, route, key);
      const fingerprint = fingerprintOf(request.method, request.url, request.body);
      const reservation: StoredRecord = { state: 'in-flight', fingerprint };
      const reserved = await redis().set(
        recordKey,
        JSON.stringify(reservation),
        'PX',
        inFlightMs,
        'NX',
      );
      if (reserved === 'OK') {
        request.idempotencyRecordKey = recordKey;
        request.idempotencyFingerprint = fingerprint;
        return;
      }
      const raw = await redis().get(recordKey);
      // The record expired between SET NX and GET: a rare race; the client may simply retry.
      if (!raw)
        throw new AppError(
          ErrorCode.IDEMPOTENCY_CONFLICT,
          'The earlier request with this Idempotency-Key just expired; retry.',
          { reason: 'expired', idempotencyKey: key },
        );
      const stored = JSON.parse(raw) as StoredRecord;
      if (stored.fingerprint !== fingerprint) {
        throw new AppError(ErrorCode.IDEMPOTENCY_CONFLICT, undefined, {
          reason: 'different-request',
          idempotencyKey: key,
        });
      }
      if (stored.state === 'in-flight') {
        throw new AppError(
          ErrorCode.IDEMPOTENCY_CONFLICT,
          'A request with this Idempotency-Key is still in progress.',
          { reason: 'in-flight', idempotencyKey: key },
        );
      }
      // A reply is thenable (it resolves once sent); setting its status or headers leaves nothing to await.
      void reply.code(stored.statusCode).header(REPLAYED_HEADER, 'true');
      if (stored.contentType) void reply.header('content-type', stored.contentType);
      return reply.send(stored.body);
    },
  );

  // Every answer of every route passes here; only those of an idempotent request have work, so
  // the others leave in callback style, without an async hook's promise and microtask.
  app.addHook('onSend', (request, reply, payload, done) => {
    const recordKey = request.idempotencyRecordKey;
    if (!recordKey) {
      done(null, payload);
      return;
    }
    request.idempotencyRecordKey = undefined;
    remember(request, reply, payload, recordKey).then(
      () => done(null, payload),
      (error: Error) => done(error),
    );
  });

  const remember = async (
    request: FastifyRequest,
    reply: FastifyReply,
    payload: unknown,
    recordKey: string,
  ): Promise<void> => {
    // Only successes are replayed (as Stripe does): a rejected request (423 while paused, 409,
    // validation) or a server failure frees the key so a corrected retry can run.
    if (reply.statusCode >= 400 || typeof payload !== 'string') {
      await redis().del(recordKey);
      return;
    }
    const contentType = reply.getHeader('content-type');
    const record: StoredRecord = {
      state: 'done',
      fingerprint: request.idempotencyFingerprint ?? '',
      statusCode: reply.statusCode,
      contentType: typeof contentType === 'string' ? contentType : undefined,
      body: payload,
    };
    await redis().set(recordKey, JSON.stringify(record), 'PX', ttlMs);
  };
}

/** Honours `Idempotency-Key` on the routes that list `app.idempotent` as a preHandler. */
export const idempotencyPlugin = fp(idempotency, {
  name: '@switchboard/idempotency',
  fastify: '5.x',
  dependencies: ['@switchboard/auth'],
});
