import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError, ErrorCode, errorResponses, ok } from '@switchboard/errors';
import { evaluableKeys, evaluateMeasured, scopedContext } from '../../domain/evaluate.js';
import {
  EvaluateBody,
  EvaluateOneBody,
  EvaluationResult,
  KeyParams,
  envelope,
} from '../../schemas/flags.js';
import { emptyBodyAsObject } from '../../http/empty-body.js';

const errors = errorResponses(400, 401, 404);

/** Evaluation for any valid token: value, variant, reason and flag version per flag. */
export const evaluationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { client } = app.flags;

  app.post(
    '/api/flags/evaluate',
    {
      onRequest: app.authenticate,
      preValidation: emptyBodyAsObject,
      config: { rateLimitGroup: 'evaluate' },
      schema: {
        tags: ['evaluation'],
        summary: 'Evaluate all (or the listed) flags for a context',
        body: EvaluateBody,
        response: {
          200: envelope(Type.Object({ flags: Type.Array(EvaluationResult) })),
          ...errors,
        },
      },
    },
    async (request) => {
      const context = scopedContext(request.body.context, request.principal);
      const flags = evaluableKeys(client, request.body.keys).map((key) =>
        evaluateMeasured(app, client, key, context),
      );
      return ok({ flags });
    },
  );

  app.post(
    '/api/flags/:key/evaluate',
    {
      onRequest: app.authenticate,
      preValidation: emptyBodyAsObject,
      config: { rateLimitGroup: 'evaluate' },
      schema: {
        tags: ['evaluation'],
        summary: 'Evaluate one flag for a context',
        params: KeyParams,
        body: EvaluateOneBody,
        response: { 200: envelope(EvaluationResult), ...errors },
      },
    },
    async (request) => {
      const result = evaluateMeasured(
        app,
        client,
        request.params.key,
        scopedContext(request.body.context, request.principal),
      );
      if (result.errorCode === 'FLAG_NOT_FOUND')
        throw new AppError(ErrorCode.RECORD_NOT_FOUND, `flag ${request.params.key} not found`, {
          key: request.params.key,
        });
      return ok(result);
    },
  );
};
