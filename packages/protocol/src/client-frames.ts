import { type Static, Type } from '@sinclair/typebox';
import { RoomName } from '@switchboard/events';

/** Client -> server frames: a TypeBox union discriminated by `type`, validated at the edge. */
/** An event type (`pr.created`), a family (`pr.*`) or everything (`*`). */
export const EventPattern = Type.String({
  maxLength: 100,
  pattern: '^(\\*|[a-z][a-z0-9_]*\\.(\\*|[a-z][a-z0-9_]*))$',
});
export const MAX_EVENT_PATTERNS = 32;

export const SubscribeFrame = Type.Object(
  {
    type: Type.Literal('subscribe'),
    room: RoomName,
    /** Only events of these types are delivered (seq still advances past the others). */
    events: Type.Optional(
      Type.Array(EventPattern, { minItems: 1, maxItems: MAX_EVENT_PATTERNS, uniqueItems: true }),
    ),
  },
  { additionalProperties: false },
);
export const UnsubscribeFrame = Type.Object(
  { type: Type.Literal('unsubscribe'), room: RoomName },
  { additionalProperties: false },
);
export const PingFrame = Type.Object(
  { type: Type.Literal('ping'), id: Type.Optional(Type.String({ maxLength: 64 })) },
  { additionalProperties: false },
);
export const ResumeFrame = Type.Object(
  {
    type: Type.Literal('resume'),
    /** room -> last seq the client processed. */
    positions: Type.Record(RoomName, Type.Integer({ minimum: 0 }), { maxProperties: 256 }),
    /** room -> epoch the client's positions belong to; a different current epoch means not recoverable. */
    epochs: Type.Optional(
      Type.Record(RoomName, Type.String({ maxLength: 64 }), { maxProperties: 256 }),
    ),
    /** clientId of a previous connection of the same user: restore its rooms and positions from Redis. */
    session: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);
export const AuthFrame = Type.Object(
  { type: Type.Literal('auth'), token: Type.String({ minLength: 1, maxLength: 8192 }) },
  { additionalProperties: false },
);
export const AckFrame = Type.Object(
  { type: Type.Literal('ack'), room: RoomName, seq: Type.Integer({ minimum: 0 }) },
  { additionalProperties: false },
);

export const ClientFrame = Type.Union([
  SubscribeFrame,
  UnsubscribeFrame,
  PingFrame,
  ResumeFrame,
  AuthFrame,
  AckFrame,
]);
export type ClientFrame = Static<typeof ClientFrame>;
export type ClientFrameType = ClientFrame['type'];
/** The schema of each frame type, so a bad frame gets the error of its own type, not of the union. */
export const clientFrameSchemas = {
  subscribe: SubscribeFrame,
  unsubscribe: UnsubscribeFrame,
  ping: PingFrame,
  resume: ResumeFrame,
  auth: AuthFrame,
  ack: AckFrame,
} as const;
export const clientFrameTypes = Object.keys(clientFrameSchemas) as ClientFrameType[];
