import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError, ErrorCode, errorResponses, ok } from '@switchboard/errors';
import { callerProblem } from './api-access.js';
import type { Keyspace } from '@switchboard/keyspace';
import type { RateLimitGroup } from '@switchboard/service-kit';
import { resolveApiAccess } from './resolve-access.js';
import { assertValidEvent, type PublishService } from './publish-service.js';
import { BroadcastBody, BroadcastResult, PublishBody, PublishResult, envelope } from './schemas.js';

export interface PublishRoutesOptions {
  service: PublishService;
  keyspace: Keyspace;
}

const errors = errorResponses(400, 401, 403, 409, 429, 503);
/** Rooms published at once in a broadcast: bounded concurrency towards Redis. */
const BROADCAST_CONCURRENCY = 32;

/** POST /api/realtime/publish and /broadcast: admins and service tokens with scope `publish`. */
export const publishRoutes: FastifyPluginAsyncTypebox<PublishRoutesOptions> = async (
  app,
  options,
) => {
  const { service } = options;
  const config: { rateLimitGroup: RateLimitGroup } = { rateLimitGroup: 'publish' };

  app.post(
    '/api/realtime/publish',
    {
      onRequest: app.authenticate,
      config,
      schema: {
        tags: ['realtime'],
        summary: 'Publish one event to a room (through the room log: seq, history, offline queue)',
        body: PublishBody,
        response: { 200: envelope(PublishResult), ...errors },
      },
    },
    async (request) => ok(await service.publish(request.principal, request.body)),
  );

  app.post(
    '/api/realtime/broadcast',
    {
      onRequest: app.authenticate,
      config,
      schema: {
        tags: ['realtime'],
        summary: 'Publish one event to up to 1000 rooms; one result per room',
        body: BroadcastBody,
        response: { 200: envelope(BroadcastResult), ...errors },
      },
    },
    async (request) => {
      const { rooms, event, data, dealershipId } = request.body;
      const problem = callerProblem(request.principal, 'publish');
      if (problem) throw new AppError(ErrorCode.FORBIDDEN, problem);
      assertValidEvent(event, data);
      const results: Array<(typeof BroadcastResult.static.results)[number]> = new Array(
        rooms.length,
      );
      let next = 0;
      const worker = async () => {
        while (next < rooms.length) {
          const index = next++;
          const room = rooms[index]!;
          try {
            const scope = await resolveApiAccess(
              app.redis,
              options.keyspace,
              request.principal,
              'publish',
              room,
              dealershipId,
            );
            const result = await service.append(scope, { room, event, data });
            results[index] = {
              room,
              ok: true,
              id: result.id,
              seq: result.seq,
              epoch: result.epoch,
            };
          } catch (error) {
            const failure =
              error instanceof AppError
                ? { code: error.code, message: error.message }
                : { code: 'SERVICE_UNAVAILABLE', message: 'The room log could not be written.' };
            results[index] = { room, ok: false, error: failure };
          }
        }
      };
      await Promise.all(
        Array.from({ length: Math.min(BROADCAST_CONCURRENCY, rooms.length) }, worker),
      );
      const published = results.filter((result) => result.ok).length;
      return ok({ results, published, failed: results.length - published });
    },
  );
};
