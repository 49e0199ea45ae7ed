import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from '@sinclair/typebox';
import { canAccessDealership } from '@switchboard/auth';
import { ErrorCode, ok } from '@switchboard/errors';
import type { FastifyRequest } from 'fastify';
import { outcomeError } from '../../runtime/sandbox-operations.js';
import { BulkBody, BulkResult, Envelope } from '../../schemas/sandbox.js';
import { requirePauseResumeFlag } from './access.js';

type Result = Static<typeof BulkResult>;
const CHUNK = 50;

const BulkResponse = Envelope(
  Type.Object({
    results: Type.Array(BulkResult),
    summary: Type.Object({
      requested: Type.Integer(),
      succeeded: Type.Integer(),
      failed: Type.Integer(),
    }),
  }),
);

export const bulkRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { operations, sandboxes } = app.sandbox;
  const gate = requirePauseResumeFlag(app);

  /** One id's outcome; nothing here throws, so one bad id never fails the batch. */
  async function applyOne(
    request: FastifyRequest,
    id: string,
    action: 'pause' | 'resume',
    reason: string | undefined,
  ): Promise<Result> {
    const notFound: Result = {
      id,
      success: false,
      error: { code: ErrorCode.RECORD_NOT_FOUND, message: 'Sandbox not found.' },
    };
    try {
      const sandbox = await sandboxes.get(id);
      if (!sandbox || !canAccessDealership(request.principal, sandbox.dealershipId))
        return notFound;
      const outcome = await app.sandboxMetrics.observe(`bulk_${action}`, async () => {
        const result = await operations.act(sandbox, action, {
          actor: request.principal.sub,
          source: 'bulk',
          reason,
        });
        if (result.kind !== 'ok') throw outcomeError(result, id);
        return result;
      });
      return { id, success: true, state: outcome.to };
    } catch (error) {
      const appError = error as {
        code?: string;
        message: string;
        details?: Record<string, unknown>;
      };
      if (
        appError.code === ErrorCode.INVALID_STATE_TRANSITION ||
        appError.code === ErrorCode.RECORD_NOT_FOUND
      ) {
        return {
          id,
          success: false,
          error: {
            code: appError.code,
            message: appError.message,
            details: appError.details ?? {},
          },
        };
      }
      request.log.error({ err: error, sandboxId: id }, 'bulk operation failed for one id');
      return {
        id,
        success: false,
        error: { code: ErrorCode.INTERNAL_ERROR, message: 'An unexpected error occurred.' },
      };
    }
  }

  for (const action of ['pause', 'resume'] as const) {
    app.post(
      `/bulk/${action}`,
      {
        onRequest: [app.authenticate, gate],
        preHandler: app.idempotent,
        schema: {
          tags: ['sandbox'],
          summary: `${action === 'pause' ? 'Pause' : 'Resume'} up to 1000 sandboxes; per-id results, partial success allowed`,
          body: BulkBody,
          response: { 200: BulkResponse },
        },
      },
      async (request) => {
        // A repeated id is handled once and reported once.
        const ids = [...new Set(request.body.ids)];
        const results: Result[] = [];
        for (let start = 0; start < ids.length; start += CHUNK) {
          results.push(
            ...(await Promise.all(
              ids
                .slice(start, start + CHUNK)
                .map((id) => applyOne(request, id, action, request.body.reason)),
            )),
          );
        }
        const succeeded = results.filter((result) => result.success).length;
        return ok({
          results,
          summary: { requested: ids.length, succeeded, failed: results.length - succeeded },
        });
      },
    );
  }
};
