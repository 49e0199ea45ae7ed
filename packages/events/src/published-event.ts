import { type Static, Type } from '@sinclair/typebox';
import { TraceContext } from './trace-context.js';

/**
 * What a publisher hands to the gateway fan-out through Redis: one event for one room of one
 * tenant. `id` lets clients drop duplicates; `seq` orders the room; `trace` carries W3C
 * trace context so one trace spans publisher -> Redis -> gateway delivery.
 */
export const PublishedEvent = Type.Object({
  id: Type.String({ minLength: 1 }),
  room: Type.String({ minLength: 1 }),
  dealershipId: Type.String({ minLength: 1 }),
  event: Type.String({ minLength: 1 }),
  data: Type.Unknown(),
  seq: Type.Integer({ minimum: 1 }),
  epoch: Type.String(),
  ts: Type.Number(),
  trace: Type.Optional(TraceContext),
});
export type PublishedEventMessage = Static<typeof PublishedEvent>;
