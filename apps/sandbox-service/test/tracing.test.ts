import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { startTracing } from '@switchboard/observability';
import type { TypedFastify } from '@switchboard/service-kit';
import { waitFor } from '@switchboard/test-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxWorker } from '../src/workers/index.js';
import { build, buildWorker, caller, useRedis, useSandboxRoot } from './helper.js';

describe('trace context from HTTP through the queue to the worker', () => {
  const exporter = new InMemorySpanExporter();
  const tracing = startTracing({ serviceName: 'sandbox-test', exporter });
  const redis = useRedis();
  const root = useSandboxRoot();
  let app: TypedFastify;
  let worker: SandboxWorker;

  beforeAll(async () => {
    app = await build(redis.server.url, { settings: { SANDBOX_ROOT: root.path } });
    worker = await buildWorker(redis.server.url, { SANDBOX_ROOT: root.path });
  });
  afterAll(async () => {
    await worker.close();
    await app.close();
    await tracing.shutdown();
  });

  it('runs the worker span in the trace of the request that queued the execution', async () => {
    const alice = caller(app, 'alice', 'd1');
    const sandbox = await alice.createSandbox();
    const tracer = trace.getTracer('test-client');
    const { res, traceId } = await tracer.startActiveSpan('client execute', async (span) => {
      const response = await alice.post(`/api/sandbox/${sandbox.id}/tools/execute?wait=10`, {
        tool: 'echo',
        input: { message: 't' },
      });
      span.end();
      return { res: response, traceId: span.spanContext().traceId };
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-trace-id']).toBe(traceId);
    const workerSpan = await waitFor(
      () => exporter.getFinishedSpans().find((span) => span.name === 'sandbox.execution'),
      { message: 'the worker span' },
    );
    expect(workerSpan.spanContext().traceId).toBe(traceId);
    expect(workerSpan.attributes['sandbox.execution_id']).toBe(res.json().data.executionId);
  });
});
