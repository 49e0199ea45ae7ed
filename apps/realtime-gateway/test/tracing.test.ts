import { createKeyspace } from '@switchboard/keyspace';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { startTracing } from '@switchboard/observability';
import { createPublisher } from '@switchboard/room-log';
import { waitFor } from '@switchboard/test-redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, connect, startGateway, tokenFor, useRedis } from './helper.js';

/** The keys the apps under test use: they are built without a KEY_PREFIX. */
const keyspace = createKeyspace('');

describe('trace context from the publisher to the WebSocket delivery', () => {
  const exporter = new InMemorySpanExporter();
  const tracing = startTracing({ serviceName: 'gateway-test', exporter });
  const redis = useRedis();
  let gateway: RunningGateway;

  beforeAll(async () => {
    gateway = await startGateway(redis.server.url);
  });
  afterAll(async () => {
    await gateway.close();
    await tracing.shutdown();
  });

  it('runs the delivery span as a child of the span that published the event', async () => {
    const client = await connect(gateway.url, tokenFor('u1', 'A'));
    await client.subscribe('project:traced');
    const publisherRedis = new Redis(redis.server.url);
    const publisher = createPublisher(publisherRedis, { keyspace });
    const parent = await trace
      .getTracer('test-publisher')
      .startActiveSpan('publish from HTTP', async (span) => {
        await publisher.publish({
          room: 'project:traced',
          dealershipId: 'A',
          event: 'project.updated',
          data: { projectId: 't' },
        });
        span.end();
        return span.spanContext();
      });
    await client.waitFor((frame) => frame.type === 'event');
    const delivery = await waitFor(
      () => exporter.getFinishedSpans().find((span) => span.name === 'websocket.deliver'),
      { message: 'delivery span' },
    );
    expect(delivery.spanContext().traceId).toBe(parent.traceId);
    expect(delivery.parentSpanContext?.spanId).toBe(parent.spanId);
    expect(delivery.attributes['switchboard.recipients']).toBe(1);
    client.close();
    await publisher.close();
    publisherRedis.disconnect();
  });
});
