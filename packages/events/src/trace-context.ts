import { Type } from '@sinclair/typebox';

/**
 * W3C trace context carried inside a message (observability's TraceCarrier), so one trace spans
 * the producer, Redis and the consumer.
 */
export const TraceContext = Type.Object({
  traceparent: Type.Optional(Type.String()),
  tracestate: Type.Optional(Type.String()),
});
