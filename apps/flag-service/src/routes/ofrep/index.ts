import { createHash } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorCode, currentTraceId, sendFailure, toAppError } from '@switchboard/errors';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { evaluableKeys, evaluateMeasured, scopedContext } from '../../domain/evaluate.js';
import { ofrepStatus, toOfrep } from '../../domain/ofrep.js';
import { KeyParams } from '../../schemas/flags.js';
import {
  OfrepBulkFailure,
  OfrepBulkSuccess,
  OfrepFailure,
  OfrepGeneralFailure,
  OfrepNotFound,
  OfrepRequest,
  OfrepServerError,
  OfrepSuccess,
} from '../../schemas/ofrep.js';
import { ofrepRetryAfter } from '../../http/ofrep-retry-after.js';
import { emptyBodyAsObject } from '../../http/empty-body.js';

/**
 * OpenFeature Remote Evaluation Protocol (OFREP v1). Authenticated with the same bearer JWT;
 * request problems answer OFREP's own error shape (PARSE_ERROR for a body that is not JSON,
 * INVALID_CONTEXT for a context that is not an object), auth failures the usual envelope.
 */
export const ofrepRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { client } = app.flags;

  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const appError = toAppError(error);
    if (appError.code === ErrorCode.VALIDATION_ERROR) {
      const key = (request.params as { key?: string } | undefined)?.key;
      // A key that is not even a valid flag key names no flag.
      if (appError.details['location'] === 'params')
        return reply
          .status(404)
          .send({ key: key ?? '', errorCode: 'FLAG_NOT_FOUND', errorDetails: appError.message });
      // Not JSON, or JSON that is not an object at all: the request cannot be read (PARSE_ERROR);
      // a readable request whose context is wrong is INVALID_CONTEXT.
      const fields = (appError.details['fields'] as Array<{ path: string }> | undefined) ?? [];
      const unreadable =
        appError.details['reason'] === 'malformed-body' ||
        appError.details['reason'] === 'unsupported-media-type' ||
        fields.some((field) => field.path === '/');
      return reply.status(400).send({
        ...(key ? { key } : {}),
        errorCode: unreadable ? 'PARSE_ERROR' : 'INVALID_CONTEXT',
        errorDetails: appError.message,
      });
    }
    if (
      appError.code === ErrorCode.RATE_LIMITED ||
      appError.code === ErrorCode.SERVICE_UNAVAILABLE
    ) {
      // OFREP: 429 with Retry-After as a date, and the general error shape.
      const seconds = Number(
        appError.details['retryAfterSeconds'] ?? appError.headers['retry-after'] ?? 1,
      );
      return reply
        .status(appError.statusCode)
        .header('retry-after', ofrepRetryAfter(seconds))
        .send({ errorDetails: appError.message });
    }
    if (appError.statusCode >= 500) {
      // OFREP's own shape (its clients read errorCode); the cause stays in the log, not the body.
      request.log.error({ err: error }, 'ofrep request failed');
      const key = (request.params as { key?: string } | undefined)?.key;
      return reply.status(500).send({
        ...(key ? { key } : {}),
        errorCode: 'GENERAL',
        errorDetails: `internal error (trace ${request.traceId || currentTraceId()})`,
      });
    }
    return sendFailure(request, reply, appError);
  });

  app.post(
    '/ofrep/v1/evaluate/flags/:key',
    {
      onRequest: app.authenticate,
      preValidation: emptyBodyAsObject,
      config: { rateLimitGroup: 'ofrep' },
      schema: {
        tags: ['ofrep'],
        summary: 'OFREP: evaluate one flag',
        params: KeyParams,
        body: OfrepRequest,
        response: {
          200: OfrepSuccess,
          400: OfrepFailure,
          404: OfrepNotFound,
          429: OfrepGeneralFailure,
          500: OfrepServerError,
          503: OfrepGeneralFailure,
        },
      },
    },
    async (request, reply) => {
      const evaluation = toOfrep(
        evaluateMeasured(
          app,
          client,
          request.params.key,
          scopedContext(request.body.context, request.principal),
        ),
      );
      return reply
        .status('errorCode' in evaluation ? ofrepStatus(evaluation.errorCode) : 200)
        .send(evaluation);
    },
  );

  app.post(
    '/ofrep/v1/evaluate/flags',
    {
      onRequest: app.authenticate,
      preValidation: emptyBodyAsObject,
      config: { rateLimitGroup: 'ofrep' },
      schema: {
        tags: ['ofrep'],
        summary: 'OFREP: evaluate every flag (ETag / If-None-Match)',
        body: OfrepRequest,
        response: {
          200: OfrepBulkSuccess,
          304: Type.Null({ description: 'Not modified: the If-None-Match ETag still matches' }),
          400: OfrepBulkFailure,
          429: OfrepGeneralFailure,
          500: OfrepServerError,
          503: OfrepGeneralFailure,
        },
      },
    },
    async (request, reply) => {
      const context = scopedContext(request.body.context, request.principal);
      const flags = evaluableKeys(client).map((key) =>
        toOfrep(evaluateMeasured(app, client, key, context)),
      );
      // Serialized once, by the route's compiled 200 serializer: the body sent is the one digested.
      const body = reply.serialize({ flags }) as string;
      // The ETag is a digest of the answer itself: it changes exactly when a flag or the context does.
      const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
      // A reply is thenable (it resolves once sent); setting its status or headers leaves nothing to await.
      void reply.header('etag', etag);
      const ifNoneMatch = request.headers['if-none-match'];
      if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim() === etag))
        return reply.status(304).send(null);
      // A string with its content type is sent as it is, not serialized again.
      return (reply as FastifyReply).type('application/json; charset=utf-8').send(body);
    },
  );
};
