import { createKeyspace } from '@switchboard/keyspace';
import { SwitchboardClient, type WebSocketConstructor } from '@switchboard/client';
import { type Publisher, createPublisher } from '@switchboard/room-log';
import { waitFor } from '@switchboard/test-redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import WebSocket from 'ws';
import { type RunningGateway, startGateway, tokenFor, useRedis } from './helper.js';

const keyspace = createKeyspace('');
const cycle = ['pr.created', 'project.updated', 'workflow.failed', 'workflow.progress'] as const;
const wanted = new Set(['pr.created', 'workflow.failed']);

describe('@switchboard/client subscribe filters against real gateways', () => {
  const redis = useRedis();
  let a: RunningGateway;
  let b: RunningGateway;
  let publisherRedis: Redis;
  let publisher: Publisher;

  beforeAll(async () => {
    a = await startGateway(redis.server.url, { instanceId: 'gw-filter-a' });
    b = await startGateway(redis.server.url, { instanceId: 'gw-filter-b' });
    publisherRedis = new Redis(redis.server.url);
    publisher = createPublisher(publisherRedis, { keyspace });
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    await publisher.close();
    publisherRedis.disconnect();
  });

  const client = (urls: string[]) => {
    const sdk = new SwitchboardClient({
      url: urls,
      token: tokenFor('u-filter', 'A'),
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
    });
    onTestFinished(() => sdk.close());
    return sdk;
  };

  /** Event i of the room's stream (seq i + 1): the four types in turn. */
  const publish = (room: string, i: number) => {
    const event = cycle[i % cycle.length]!;
    const data = {
      'pr.created': { prId: `pr${i}` },
      'project.updated': { projectId: `p${i}` },
      'workflow.failed': { workflowId: `w${i}`, error: 'x' },
      'workflow.progress': { workflowId: `w${i}`, progress: i % 100 },
    }[event];
    return publisher.publish({
      room,
      dealershipId: 'A',
      event: event as 'pr.created',
      data: data as never,
    });
  };
  const matchingSeqs = (count: number) =>
    Array.from({ length: count }, (_, i) => i)
      .filter((i) => wanted.has(cycle[i % cycle.length]!))
      .map((i) => i + 1);

  it('delivers only the matching types of a filtered room', async () => {
    const sdk = client([a.url]);
    await sdk.connect();
    await sdk.subscribe('project:flt1', { events: ['pr.*', 'workflow.failed'] });
    const received: Array<[string, number]> = [];
    sdk.onAny((event, _data, meta) => received.push([event, meta.seq]));
    for (let i = 0; i < 8; i += 1) await publish('project:flt1', i);
    await waitFor(() => received.length === 4, { message: 'four matching events' });
    expect(received).toEqual([
      ['pr.created', 1],
      ['workflow.failed', 3],
      ['pr.created', 5],
      ['workflow.failed', 7],
    ]);
  });

  it('keeps the filter after its connection dies and resumes on another instance, losing no matching event', async () => {
    const sdk = client([a.url, b.url]);
    await sdk.connect();
    await sdk.subscribe('project:flt2', { events: ['pr.*', 'workflow.failed'] });
    const received: Array<[string, number]> = [];
    sdk.onAny((event, _data, meta) => {
      if (meta.room === 'project:flt2') received.push([event, meta.seq]);
    });
    const resumed: boolean[] = [];
    sdk.onClient('resumed', ({ room, recovered }) => {
      if (room === 'project:flt2') resumed.push(recovered);
    });
    const total = 600;
    const flow = (async () => {
      for (let i = 0; i < total; i += 1) await publish('project:flt2', i);
    })();
    await waitFor(() => received.length >= 40, { message: '40 events', timeoutMs: 15_000 });
    for (const connection of a.app.gateway.connections.values()) connection.socket.terminate();
    await flow;
    // A later matching event: once it is here, every earlier one would have arrived.
    await publish('project:flt2', total);
    const expected = matchingSeqs(total + 1);
    await waitFor(() => received.length >= expected.length, {
      message: 'every matching event',
      timeoutMs: 20_000,
    });
    expect(resumed).toEqual([true]);
    expect(received.every(([event]) => wanted.has(event))).toBe(true);
    expect(received.map(([, seq]) => seq)).toEqual(expected);
    // The filter is back on the server: the other types no longer go over the wire.
    const [connection] = [...b.app.gateway.connections.values()];
    expect(connection?.rooms.get('project:flt2')?.filter?.patterns).toEqual([
      'pr.*',
      'workflow.failed',
    ]);
  });

  it('refuses a malformed filter or more than 32 patterns without joining the room', async () => {
    const sdk = client([a.url]);
    await sdk.connect();
    await expect(sdk.subscribe('project:flt4', { events: ['PR*'] })).rejects.toThrow(
      /^VALIDATION_ERROR/,
    );
    const tooMany = Array.from({ length: 33 }, (_, i) => `pr.t${i}`);
    await expect(sdk.subscribe('project:flt4', { events: tooMany })).rejects.toThrow(
      /^VALIDATION_ERROR/,
    );
    await expect(sdk.subscribe('project:flt4', { events: [] })).rejects.toThrow(
      /^VALIDATION_ERROR/,
    );
    const connections = [...a.app.gateway.connections.values()];
    expect(connections.length).toBeGreaterThan(0);
    expect(connections.some((connection) => connection.rooms.has('project:flt4'))).toBe(false);
  });

  it('goes back to every event when subscribed again without a filter', async () => {
    const sdk = client([a.url]);
    await sdk.connect();
    await sdk.subscribe('project:flt3', { events: ['pr.created'] });
    const received: string[] = [];
    sdk.onAny((event) => received.push(event));
    await publish('project:flt3', 0);
    await waitFor(() => received.length === 1, { message: 'filtered event' });
    await sdk.subscribe('project:flt3');
    await publish('project:flt3', 1);
    await waitFor(() => received.length === 2, { message: 'unfiltered event' });
    expect(received).toEqual(['pr.created', 'project.updated']);
  });
});
