import { type Static, Type } from '@sinclair/typebox';

/** Server -> client frames (documented in docs/api/websocket.md); the gateway sends them, the client SDK reads them. */
export const ConnectionEstablishedFrame = Type.Object({
  type: Type.Literal('connection.established'),
  clientId: Type.String(),
  instanceId: Type.String(),
  heartbeatMs: Type.Integer(),
  rooms: Type.Array(Type.String()),
  /** Where each automatic room starts for this connection: every later message of it is sent. */
  positions: Type.Record(Type.String(), Type.Object({ seq: Type.Integer(), epoch: Type.String() })),
});
export const EventFrame = Type.Object({
  type: Type.Literal('event'),
  room: Type.String(),
  event: Type.String(),
  id: Type.String(),
  seq: Type.Integer(),
  epoch: Type.String(),
  ts: Type.Number(),
  data: Type.Unknown(),
});
export const SubscribedFrame = Type.Object({
  type: Type.Literal('subscribed'),
  room: Type.String(),
  seq: Type.Integer(),
  epoch: Type.String(),
});
export const UnsubscribedFrame = Type.Object({
  type: Type.Literal('unsubscribed'),
  room: Type.String(),
});
export const ResumedFrame = Type.Object({
  type: Type.Literal('resumed'),
  room: Type.String(),
  /** false: history no longer covers the client's position; refetch state. */
  recovered: Type.Boolean(),
  replayed: Type.Integer(),
  seq: Type.Integer(),
  epoch: Type.String(),
});
export const PongFrame = Type.Object({
  type: Type.Literal('pong'),
  id: Type.Optional(Type.String()),
  ts: Type.Number(),
});
export const ErrorFrame = Type.Object({
  type: Type.Literal('error'),
  code: Type.String(),
  message: Type.String(),
  room: Type.Optional(Type.String()),
});
export const MigrateFrame = Type.Object({
  type: Type.Literal('migrate'),
  reconnectInMs: Type.Integer(),
});
export const AuthOkFrame = Type.Object({ type: Type.Literal('auth.ok'), exp: Type.Integer() });

export const ServerFrame = Type.Union([
  ConnectionEstablishedFrame,
  EventFrame,
  SubscribedFrame,
  UnsubscribedFrame,
  ResumedFrame,
  PongFrame,
  ErrorFrame,
  MigrateFrame,
  AuthOkFrame,
]);
export type ServerFrame = Static<typeof ServerFrame>;
export type EventFrame = Static<typeof EventFrame>;
