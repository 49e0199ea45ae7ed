import { randomBytes } from 'node:crypto';
import { isSpanContextValid, trace } from '@opentelemetry/api';

/** The active OpenTelemetry trace id when tracing is on, otherwise a fresh W3C-shaped id. */
export function currentTraceId(): string {
  const context = trace.getActiveSpan()?.spanContext();
  if (context && isSpanContextValid(context)) return context.traceId;
  return randomBytes(16).toString('hex');
}
