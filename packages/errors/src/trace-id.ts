import { randomFillSync } from 'node:crypto';
import { isSpanContextValid, trace } from '@opentelemetry/api';

/**
 * Random bytes for trace ids, filled 256 ids at a time: one id per request made a fresh
 * randomBytes call (and its native round trip) a visible share of a hot route's time.
 */
const ID_BYTES = 16;
const pool = Buffer.alloc(ID_BYTES * 256);
let offset = pool.length;

function freshTraceId(): string {
  if (offset >= pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const id = pool.toString('hex', offset, offset + ID_BYTES);
  offset += ID_BYTES;
  return id;
}

/** The active OpenTelemetry trace id when tracing is on, otherwise a fresh W3C-shaped id. */
export function currentTraceId(): string {
  const context = trace.getActiveSpan()?.spanContext();
  if (context && isSpanContextValid(context)) return context.traceId;
  return freshTraceId();
}
