import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { errorHandlerPlugin } from '@switchboard/errors';
import { startTracing } from '@switchboard/observability';
import { afterAll, describe, expect, it } from 'vitest';
import { createFastify } from '../src/index.js';

describe('request spans', () => {
  const exporter = new InMemorySpanExporter();
  const tracing = startTracing({ serviceName: 'kit', exporter });
  afterAll(() => tracing.shutdown());

  it('runs each request in a SERVER span named after its route, parented by traceparent, and x-trace-id tells it', async () => {
    const app = createFastify({ service: 'kit', logLevel: 'silent' });
    await app.register(errorHandlerPlugin);
    let innerTraceId = '';
    app.post('/items/:id/pause', async () => {
      // Work done by the handler (publishing, queueing) sees the request span as active.
      innerTraceId = trace.getActiveSpan()?.spanContext().traceId ?? '';
      return { ok: true };
    });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });

    const caller = trace.getTracer('test').startSpan('caller');
    const headers: Record<string, string> = {};
    propagation.inject(trace.setSpan(context.active(), caller), headers);
    const res = await fetch(`${address}/items/42/pause`, { method: 'POST', headers });
    caller.end();
    await app.close();

    expect(res.status).toBe(200);
    const span = exporter.getFinishedSpans().find((s) => s.name === 'POST /items/:id/pause');
    expect(
      span,
      exporter
        .getFinishedSpans()
        .map((s) => s.name)
        .join(', '),
    ).toBeDefined();
    expect(span!.attributes['url.path']).toBe('/items/42/pause');
    expect(span!.attributes['http.response.status_code']).toBe(200);
    expect(span!.spanContext().traceId).toBe(caller.spanContext().traceId);
    expect(span!.parentSpanContext?.spanId).toBe(caller.spanContext().spanId);
    expect(innerTraceId).toBe(caller.spanContext().traceId);
    expect(res.headers.get('x-trace-id')).toBe(caller.spanContext().traceId);
  });
});
