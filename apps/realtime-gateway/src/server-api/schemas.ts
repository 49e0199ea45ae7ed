import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { RoomName } from '@switchboard/events';

/** The success envelope around a response schema. */
export const envelope = <T extends TSchema>(data: T) =>
  Type.Object({ success: Type.Literal(true), data });

const DealershipId = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: '^[A-Za-z0-9_.-]+$',
  description:
    "Whose copy of the room (all-dealership service tokens and admins); default: the token's",
});
const EventName = Type.String({
  minLength: 1,
  maxLength: 100,
  description: 'An event type of the catalogue',
});

export const PublishBody = Type.Object(
  {
    room: RoomName,
    event: EventName,
    data: Type.Unknown({ description: "The event's data, checked against its catalogue schema" }),
    dealershipId: Type.Optional(DealershipId),
    idempotencyKey: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'Same key within 24 h: the first answer, one event',
      }),
    ),
  },
  { additionalProperties: false },
);
export type PublishBody = Static<typeof PublishBody>;

export const PublishResult = Type.Object({
  id: Type.String(),
  room: Type.String(),
  seq: Type.Integer(),
  epoch: Type.String(),
});
export type PublishResult = Static<typeof PublishResult>;

const MAX_BROADCAST_ROOMS = 1000;

export const BroadcastBody = Type.Object(
  {
    rooms: Type.Array(RoomName, { minItems: 1, maxItems: MAX_BROADCAST_ROOMS, uniqueItems: true }),
    event: EventName,
    data: Type.Unknown(),
    dealershipId: Type.Optional(DealershipId),
  },
  { additionalProperties: false },
);
export type BroadcastBody = Static<typeof BroadcastBody>;

export const BroadcastResult = Type.Object({
  results: Type.Array(
    Type.Object({
      room: Type.String(),
      ok: Type.Boolean(),
      id: Type.Optional(Type.String()),
      seq: Type.Optional(Type.Integer()),
      epoch: Type.Optional(Type.String()),
      error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
    }),
  ),
  published: Type.Integer(),
  failed: Type.Integer(),
});

export const RoomParams = Type.Object({ room: RoomName });
export type RoomParams = Static<typeof RoomParams>;

export const DealershipQuery = Type.Object({ dealershipId: Type.Optional(DealershipId) });

export const HistoryQuery = Type.Object(
  {
    since: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: 'Events with seq > since (forward) or < since (reverse)',
      }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    reverse: Type.Optional(Type.Boolean({ default: false, description: 'Newest first' })),
    dealershipId: Type.Optional(DealershipId),
  },
  { additionalProperties: false },
);
export type HistoryQuery = Static<typeof HistoryQuery>;

const HistoryEvent = Type.Object({
  id: Type.String(),
  room: Type.String(),
  event: Type.String(),
  data: Type.Unknown(),
  seq: Type.Integer(),
  epoch: Type.String(),
  ts: Type.Number(),
});

export const HistoryResult = Type.Object({
  room: Type.String(),
  epoch: Type.String(),
  /** The room's last seq. */
  seq: Type.Integer(),
  events: Type.Array(HistoryEvent),
  /** Pass as `since` for the next page; null at the end. */
  nextSince: Type.Union([Type.Integer(), Type.Null()]),
});

export const PresenceResult = Type.Object({
  room: Type.String(),
  clients: Type.Array(
    Type.Object({
      clientId: Type.String(),
      userId: Type.String(),
      instanceId: Type.String(),
      connectedAt: Type.String(),
    }),
  ),
});

export const PresenceStatsResult = Type.Object({
  room: Type.String(),
  clients: Type.Integer(),
  users: Type.Integer(),
});

export const RoomsQuery = Type.Object(
  {
    prefix: Type.Optional(
      Type.String({ maxLength: 200, description: 'Room name prefix, e.g. project:' }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    dealershipId: Type.Optional(DealershipId),
  },
  { additionalProperties: false },
);
export type RoomsQuery = Static<typeof RoomsQuery>;

export const RoomsResult = Type.Object({
  rooms: Type.Array(Type.Object({ room: Type.String(), members: Type.Integer() })),
});

export const DisconnectBody = Type.Object(
  {
    userId: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    clientId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    reconnect: Type.Boolean({ default: false }),
    dealershipId: Type.Optional(DealershipId),
  },
  { additionalProperties: false },
);
export type DisconnectBody = Static<typeof DisconnectBody>;

export const DisconnectResult = Type.Object({
  /** Connections the command was sent for (closed by their instances). */
  connections: Type.Integer(),
  instances: Type.Array(Type.String()),
});

const Breaker = Type.Union([
  Type.Literal('closed'),
  Type.Literal('open'),
  Type.Literal('half-open'),
]);

export const WebsocketStats = Type.Object({
  totals: Type.Object({
    connections: Type.Integer(),
    rooms: Type.Integer(),
    messagesIn: Type.Integer(),
    messagesOut: Type.Integer(),
    queuedOffline: Type.Integer(),
    instances: Type.Integer(),
  }),
  instances: Type.Array(
    Type.Object({
      instanceId: Type.String(),
      connections: Type.Integer(),
      rooms: Type.Integer(),
      messagesIn: Type.Integer(),
      messagesOut: Type.Integer(),
      draining: Type.Boolean(),
      breaker: Breaker,
      startedAt: Type.String(),
      lastSeenAt: Type.String(),
    }),
  ),
  dealerships: Type.Array(
    Type.Object({ dealershipId: Type.String(), connections: Type.Integer() }),
  ),
  at: Type.String(),
});
export type WebsocketStats = Static<typeof WebsocketStats>;
