import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ALL_DEALERSHIPS, type PrincipalClaims, hasScope } from '@switchboard/auth';
import { AppError, ErrorCode, errorResponses, ok } from '@switchboard/errors';
import type { Keyspace } from '@switchboard/keyspace';
import type { OfflineQueue } from '@switchboard/room-log';
import { encodeCommand } from '../connection/disconnect-command.js';
import type { ClusterReader } from './cluster-reader.js';
import { DisconnectBody, DisconnectResult, WebsocketStats, envelope } from './schemas.js';

export interface ControlRoutesOptions {
  keyspace: Keyspace;
  reader: ClusterReader;
  offline: OfflineQueue;
}

const errors = errorResponses(400, 401, 403, 404, 429, 503);

function assertMay(principal: PrincipalClaims, scope: 'disconnect' | 'presence'): void {
  if (principal.role === 'admin' || hasScope(principal, scope)) return;
  throw new AppError(
    ErrorCode.FORBIDDEN,
    principal.role === 'service'
      ? `The token lacks the scope "${scope}".`
      : 'Only admins and service tokens may do this.',
  );
}

/** The dealership a disconnect acts in: the token's own, or the one an admin / all-dealership token names. */
function targetDealership(principal: PrincipalClaims, requested: string | undefined): string {
  const all = principal.role === 'admin' || principal.dealershipId === ALL_DEALERSHIPS;
  if (!all) {
    if (requested !== undefined && requested !== principal.dealershipId)
      throw new AppError(ErrorCode.FORBIDDEN, "Another dealership's connections.");
    return principal.dealershipId;
  }
  const dealershipId =
    requested ?? (principal.role === 'admin' ? principal.dealershipId : undefined);
  if (!dealershipId)
    throw new AppError(
      ErrorCode.VALIDATION_ERROR,
      'An all-dealership token must name the dealershipId.',
      {
        field: '/dealershipId',
      },
    );
  return dealershipId;
}

/** POST /api/realtime/disconnect and GET /api/v1/websocket/stats. */
export const controlRoutes: FastifyPluginAsyncTypebox<ControlRoutesOptions> = async (
  app,
  options,
) => {
  const { keyspace: ks, reader } = options;

  app.post(
    '/api/realtime/disconnect',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['realtime'],
        summary: "Close a user's or one client's connections, on whichever instance holds them",
        body: DisconnectBody,
        response: { 200: envelope(DisconnectResult), ...errors },
      },
    },
    async (request) => {
      assertMay(request.principal, 'disconnect');
      const { userId, clientId, reconnect } = request.body;
      if ((userId === undefined) === (clientId === undefined))
        throw new AppError(ErrorCode.VALIDATION_ERROR, 'Name exactly one of userId and clientId.', {
          field: userId === undefined ? '/userId' : '/clientId',
        });
      const dealershipId = targetDealership(request.principal, request.body.dealershipId);
      const live = await reader.liveInstances();
      const byInstance = new Map<string, string[]>();
      if (clientId !== undefined) {
        const entry = await app.redis.hmget(
          ks.realtime.connection(clientId),
          'instance',
          'dealership',
        );
        // Another tenant's client answers like an unknown one.
        if (!entry[0] || entry[1] !== dealershipId)
          throw new AppError(ErrorCode.RECORD_NOT_FOUND, 'Connection not found.', { clientId });
        byInstance.set(entry[0], [clientId]);
      } else {
        const members = await app.redis.zrange(
          ks.realtime.userConnections(dealershipId, userId!),
          0,
          -1,
        );
        for (const member of members) {
          const [instanceId, id] = member.split(' ');
          if (!instanceId || !id || !live.has(instanceId)) continue;
          byInstance.set(instanceId, [...(byInstance.get(instanceId) ?? []), id]);
        }
      }
      let connections = 0;
      for (const [instanceId, clientIds] of byInstance) {
        connections += clientIds.length;
        await app.redis.publish(
          ks.realtime.directChannel(instanceId),
          encodeCommand({ command: 'disconnect', dealershipId, clientIds, reconnect }),
        );
      }
      return ok({ connections, instances: [...byInstance.keys()] });
    },
  );

  app.get(
    '/api/v1/websocket/stats',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['realtime'],
        summary:
          'Connections, rooms and messages per instance and summed (admins and service tokens)',
        response: { 200: envelope(WebsocketStats), ...errors },
      },
    },
    async (request) => {
      if (request.principal.role !== 'admin' && request.principal.role !== 'service')
        throw new AppError(
          ErrorCode.FORBIDDEN,
          'Only admins and service tokens may read the stats.',
        );
      const [instances, queuedOffline] = await Promise.all([
        reader.instances(),
        options.offline.backlog().catch(() => 0),
      ]);
      const perDealership = new Map<string, number>();
      for (const instance of instances)
        for (const [dealershipId, count] of Object.entries(instance.dealerships))
          perDealership.set(dealershipId, (perDealership.get(dealershipId) ?? 0) + count);
      const sum = (pick: (instance: (typeof instances)[number]) => number) =>
        instances.reduce((total, instance) => total + pick(instance), 0);
      return ok({
        totals: {
          connections: sum((instance) => instance.connections),
          rooms: sum((instance) => instance.rooms),
          messagesIn: sum((instance) => instance.messagesIn),
          messagesOut: sum((instance) => instance.messagesOut),
          queuedOffline,
          instances: instances.length,
        },
        instances: instances.map(({ dealerships: _dealerships, ...instance }) => instance),
        dealerships: [...perDealership]
          .map(([dealershipId, connections]) => ({ dealershipId, connections }))
          .sort((a, b) => a.dealershipId.localeCompare(b.dealershipId)),
        at: new Date().toISOString(),
      });
    },
  );
};
