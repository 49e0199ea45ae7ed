import { type Context, context, propagation } from '@opentelemetry/api';

/** W3C trace context as it travels in event envelopes and BullMQ job data. */
export type TraceCarrier = { traceparent?: string; tracestate?: string };

export function injectTraceContext(from: Context = context.active()): TraceCarrier {
  const carrier: TraceCarrier = {};
  propagation.inject(from, carrier);
  return carrier;
}

export function extractTraceContext(carrier: TraceCarrier | undefined): Context {
  return carrier ? propagation.extract(context.active(), carrier) : context.active();
}
