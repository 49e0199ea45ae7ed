import { type Server, createServer } from 'node:http';
import { freePort, waitFor } from '@switchboard/test-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2EStack, startE2EStack } from './stack-fixture.js';

interface CollectedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  service: string;
  text: string;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
}
interface OtlpExport {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: OtlpValue }[] };
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        attributes?: { key: string; value: OtlpValue }[];
      }[];
    }[];
  }[];
}

/** A minimal OTLP/HTTP JSON receiver: what every service's exporter sends its spans to. */
async function startCollector(): Promise<{
  url: string;
  spans: CollectedSpan[];
  requests: string[];
  server: Server;
}> {
  const spans: CollectedSpan[] = [];
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(
      `${request.method} ${request.url} ${request.headers['content-type'] ?? ''} ${request.headers['content-encoding'] ?? ''}`,
    );
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport;
        for (const resourceSpans of body.resourceSpans ?? []) {
          const service =
            resourceSpans.resource?.attributes?.find((a) => a.key === 'service.name')?.value
              .stringValue ?? '';
          for (const scope of resourceSpans.scopeSpans ?? []) {
            for (const span of scope.spans ?? []) {
              spans.push({
                traceId: span.traceId,
                spanId: span.spanId,
                parentSpanId: span.parentSpanId ?? '',
                name: span.name,
                service,
                text: `${span.name} ${JSON.stringify(span.attributes ?? [])}`,
              });
            }
          }
        }
      } catch {
        // protobuf or garbage: not ours to decode; the assertions will say no spans arrived
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, spans, requests, server };
}

/** What arrived, for failure messages: span count by service and name. */
function summary(spans: CollectedSpan[]): string {
  const counts = new Map<string, number>();
  for (const span of spans)
    counts.set(
      `${span.service}: ${span.name}`,
      (counts.get(`${span.service}: ${span.name}`) ?? 0) + 1,
    );
  return [...counts].map(([key, count]) => `${key} x${count}`).join('\n') || 'no spans at all';
}

/** The span and its ancestors up to the root; throws if a parent never arrived. */
function chainOf(span: CollectedSpan, spans: CollectedSpan[]): CollectedSpan[] {
  const byId = new Map(spans.filter((s) => s.traceId === span.traceId).map((s) => [s.spanId, s]));
  const chain = [span];
  let current = span;
  while (current.parentSpanId && !/^0+$/.test(current.parentSpanId)) {
    const parent = byId.get(current.parentSpanId);
    if (!parent)
      throw new Error(
        `parent ${current.parentSpanId} of "${current.name}" (${current.service}) never arrived`,
      );
    chain.push(parent);
    current = parent;
  }
  return chain;
}

// Issue 7: one trace shows HTTP pause -> Redis publish -> gateway delivery, and tool execute ->
// queue -> worker -> events, across processes, with every parent present.
describe('OpenTelemetry across the stack', () => {
  let e2e: E2EStack;
  let collector: Awaited<ReturnType<typeof startCollector>>;

  beforeAll(async () => {
    collector = await startCollector();
    e2e = await startE2EStack({
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_BSP_SCHEDULE_DELAY: '200',
    });
  });

  afterAll(async () => {
    await e2e?.close();
    await new Promise((resolve) => collector?.server.close(resolve));
  });

  it('links the HTTP pause, the publish and the delivery on a gateway in one trace', async () => {
    const user = e2e.token('u-trace', 'd-trace');
    const client = e2e.client(user);
    await client.connect();
    await client.subscribe('dealership:d-trace');
    const created = await e2e.api<{ id: string }>('POST', '/api/sandbox', user, { name: 'trace' });
    const id = created.body.data?.id ?? '';
    const paused = await e2e.api('POST', `/api/sandbox/pause/${id}`, user, {});
    expect(paused.status).toBe(200);

    const delivery = await waitFor(
      () => {
        const roots = collector.spans.filter(
          (s) => s.service === 'sandbox-service' && s.text.includes(`/api/sandbox/pause/`),
        );
        const traceIds = new Set(roots.map((s) => s.traceId));
        return collector.spans.find(
          (s) => s.service === 'realtime-gateway' && traceIds.has(s.traceId),
        );
      },
      {
        timeoutMs: 15_000,
        intervalMs: 200,
        message: 'a gateway span in the trace of the pause request',
      },
    ).catch((error: Error) => {
      throw new Error(
        `${error.message}; spans received:\n${summary(collector.spans)}\nrequests: ${collector.requests.slice(0, 5).join(', ') || 'none'}`,
      );
    });
    const chain = chainOf(delivery, collector.spans);
    const services = chain.map((span) => span.service);
    expect(services[0]).toBe('realtime-gateway');
    expect(services.at(-1)).toBe('sandbox-service');
    expect(chain.at(-1)?.text).toContain('/api/sandbox/pause/');
  });

  it('links tool execute, the worker and the execution events in one trace', async () => {
    const user = e2e.token('u-trace2', 'd-trace');
    const client = e2e.client(user);
    await client.connect();
    await client.subscribe('dealership:d-trace');
    const created = await e2e.api<{ id: string }>('POST', '/api/sandbox', user, {
      name: 'trace-exec',
    });
    const id = created.body.data?.id ?? '';
    const accepted = await e2e.api<{ executionId: string }>(
      'POST',
      `/api/sandbox/${id}/tools/execute`,
      user,
      { tool: 'echo', input: { message: 'traced' } },
    );
    expect(accepted.status).toBe(202);

    const delivery = await waitFor(
      () => {
        const roots = collector.spans.filter(
          (s) => s.service === 'sandbox-service' && s.text.includes('/tools/execute'),
        );
        const traceIds = new Set(roots.map((s) => s.traceId));
        const workerTraces = new Set(
          collector.spans
            .filter(
              (s) =>
                s.service !== 'sandbox-service' &&
                s.service !== 'realtime-gateway' &&
                traceIds.has(s.traceId),
            )
            .map((s) => s.traceId),
        );
        return collector.spans.find(
          (s) => s.service === 'realtime-gateway' && workerTraces.has(s.traceId),
        );
      },
      {
        timeoutMs: 20_000,
        intervalMs: 200,
        message: 'worker and gateway spans in the trace of the execute request',
      },
    ).catch((error: Error) => {
      throw new Error(
        `${error.message}; spans received:\n${summary(collector.spans)}\nrequests: ${collector.requests.slice(0, 5).join(', ') || 'none'}`,
      );
    });
    const chain = chainOf(delivery, collector.spans);
    expect(chain[0]?.service).toBe('realtime-gateway');
    expect(chain.at(-1)?.text).toContain('/tools/execute');
    // Between the request and the delivery sits the worker process.
    expect(
      chain
        .slice(1, -1)
        .some((span) => span.service !== 'sandbox-service' && span.service !== 'realtime-gateway'),
    ).toBe(true);
  });
});
