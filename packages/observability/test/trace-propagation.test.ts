import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { extractTraceContext, injectTraceContext, startTracing } from '../src/index.js';

describe('trace propagation', () => {
  const exporter = new InMemorySpanExporter();
  const tracing = startTracing({ serviceName: 'test', exporter });
  afterAll(() => tracing.shutdown());

  it('is off without an endpoint', () => {
    expect(startTracing({ serviceName: 'x' }).enabled).toBe(false);
  });

  it('carries a parent span across a serialised carrier', () => {
    const tracer = trace.getTracer('test');
    const parent = tracer.startSpan('http pause');
    const carrier = injectTraceContext(trace.setSpan(context.active(), parent));
    expect(carrier.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const wire = JSON.parse(JSON.stringify(carrier));
    const child = tracer.startSpan('gateway deliver', {}, extractTraceContext(wire));
    child.end();
    parent.end();
    const spans = exporter.getFinishedSpans();
    const deliver = spans.find((span) => span.name === 'gateway deliver')!;
    expect(deliver.spanContext().traceId).toBe(parent.spanContext().traceId);
    expect(deliver.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
  });
});
