import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ALL_DEALERSHIPS, type PrincipalClaims, hasScope } from '@switchboard/auth';
import { AppError, ErrorCode, errorResponses, ok } from '@switchboard/errors';
import { GLOBAL_ROOM, roomKey } from '@switchboard/events';
import type { Keyspace } from '@switchboard/keyspace';
import { readHistoryPage, readPosition } from '@switchboard/room-log';
import type { ClusterReader } from './cluster-reader.js';
import { resolveApiAccess } from './resolve-access.js';
import {
  DealershipQuery,
  HistoryQuery,
  HistoryResult,
  PresenceResult,
  PresenceStatsResult,
  RoomParams,
  RoomsQuery,
  RoomsResult,
  envelope,
} from './schemas.js';

export interface ReadRoutesOptions {
  keyspace: Keyspace;
  reader: ClusterReader;
}

const errors = errorResponses(400, 401, 403, 429, 503);
/** Members listed by one presence answer; /presence/stats counts them all. */
const MAX_PRESENCE = 1000;

/**
 * History and presence of a room (service scopes `history` / `presence`; users and agents by
 * the subscribe ACL) and the listing of active rooms.
 */
export const readRoutes: FastifyPluginAsyncTypebox<ReadRoutesOptions> = async (app, options) => {
  const { keyspace: ks, reader } = options;

  app.get(
    '/api/realtime/rooms/:room/history',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['realtime'],
        summary: "A page of a room's history (since, limit, reverse)",
        params: RoomParams,
        querystring: HistoryQuery,
        response: { 200: envelope(HistoryResult), ...errors },
      },
    },
    async (request) => {
      const { room } = request.params;
      const { since, limit = 100, reverse = false, dealershipId } = request.query;
      const scope = await resolveApiAccess(
        app.redis,
        ks,
        request.principal,
        'history',
        room,
        dealershipId,
      );
      const key = roomKey(scope, room);
      const [position, events] = await Promise.all([
        readPosition(app.redis, ks, key),
        readHistoryPage(app.redis, ks, key, { since, limit, reverse }),
      ]);
      const last = events.at(-1);
      const more =
        events.length === limit &&
        last !== undefined &&
        (reverse ? last.seq > 1 : last.seq < position.seq);
      return ok({
        room,
        epoch: position.epoch,
        seq: position.seq,
        events: events.map(({ id, event, data, seq, epoch, ts }) => ({
          id,
          room,
          event,
          data,
          seq,
          epoch,
          ts,
        })),
        nextSince: more ? last.seq : null,
      });
    },
  );

  app.get(
    '/api/realtime/rooms/:room/presence',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['realtime'],
        summary:
          'Who is connected to a room now, on every instance (not global: use presence/stats)',
        params: RoomParams,
        querystring: DealershipQuery,
        response: { 200: envelope(PresenceResult), ...errors },
      },
    },
    async (request) => {
      const { room } = request.params;
      if (room === GLOBAL_ROOM)
        throw new AppError(
          ErrorCode.VALIDATION_ERROR,
          'Every connection is in global; ask presence/stats.',
          {
            field: '/room',
          },
        );
      const scope = await resolveApiAccess(
        app.redis,
        ks,
        request.principal,
        'presence',
        room,
        request.query.dealershipId,
      );
      return ok({ room, clients: await reader.roomPresence(roomKey(scope, room), MAX_PRESENCE) });
    },
  );

  app.get(
    '/api/realtime/rooms/:room/presence/stats',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['realtime'],
        summary: 'How many clients and users are in a room, on every instance',
        params: RoomParams,
        querystring: DealershipQuery,
        response: { 200: envelope(PresenceStatsResult), ...errors },
      },
    },
    async (request) => {
      const { room } = request.params;
      const scope = await resolveApiAccess(
        app.redis,
        ks,
        request.principal,
        'presence',
        room,
        request.query.dealershipId,
      );
      const key = roomKey(scope, room);
      if (room === GLOBAL_ROOM) {
        const clients = await reader.roomMembers(key);
        return ok({ room, clients, users: clients });
      }
      const entries = await reader.roomPresence(key, Number.MAX_SAFE_INTEGER);
      return ok({
        room,
        clients: entries.length,
        users: new Set(entries.map((entry) => entry.userId)).size,
      });
    },
  );

  app.get(
    '/api/realtime/rooms',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['realtime'],
        summary: 'Active rooms of a dealership (by name prefix) with their member counts',
        querystring: RoomsQuery,
        response: { 200: envelope(RoomsResult), ...errors },
      },
    },
    async (request) => {
      const { prefix = '', limit = 100 } = request.query;
      const dealershipId = listingDealership(request.principal, request.query.dealershipId);
      const keyPrefix = roomKey(dealershipId, prefix.length > 0 ? prefix : 'x').slice(
        0,
        prefix.length > 0 ? undefined : -1,
      );
      const rooms = await reader.listRooms(keyPrefix, limit);
      const own = `d:${dealershipId}:`;
      return ok({
        rooms: rooms.map(({ key, members }) => ({ room: key.slice(own.length), members })),
      });
    },
  );
};

/** Whose rooms a listing shows: presence-scoped services and admins (any named dealership), nobody else. */
function listingDealership(principal: PrincipalClaims, requested: string | undefined): string {
  const allowed = principal.role === 'admin' || hasScope(principal, 'presence');
  if (!allowed)
    throw new AppError(
      ErrorCode.FORBIDDEN,
      'Listing rooms needs an admin or a presence-scoped service token.',
    );
  const all = principal.role === 'admin' || principal.dealershipId === ALL_DEALERSHIPS;
  if (!all && requested !== undefined && requested !== principal.dealershipId)
    throw new AppError(ErrorCode.FORBIDDEN, "Another dealership's rooms.");
  const dealershipId = all
    ? (requested ?? (principal.role === 'admin' ? principal.dealershipId : undefined))
    : principal.dealershipId;
  if (dealershipId === undefined)
    throw new AppError(
      ErrorCode.VALIDATION_ERROR,
      'An all-dealership token must name the dealershipId.',
      {
        field: '/dealershipId',
      },
    );
  return dealershipId;
}
