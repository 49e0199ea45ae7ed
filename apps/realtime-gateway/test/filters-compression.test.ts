import { createKeyspace } from '@switchboard/keyspace';
import { createRedis, type RedisClient } from '@switchboard/redis';
import { createPublisher, type Publisher } from '@switchboard/room-log';
import { waitFor } from '@switchboard/test-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { filtersInUse } from '../src/rooms/event-filter.js';
import {
  type RunningGateway,
  TestClient,
  connect,
  startGateway,
  tokenFor,
  useRedis,
} from './helper.js';

const redis = useRedis();
const ks = createKeyspace('');

describe('subscribe with an event filter', () => {
  let gateway: RunningGateway;
  let client: RedisClient;
  let publisher: Publisher;

  beforeAll(async () => {
    gateway = await startGateway(redis.server.url, { instanceId: 'filters' });
    client = createRedis(redis.server.url);
    publisher = createPublisher(client, { keyspace: ks });
  });
  afterAll(async () => {
    await gateway?.close();
    await publisher?.close();
    client?.disconnect();
  });

  const subscribeFiltered = async (socket: TestClient, room: string, events: string[]) => {
    const before = socket.frames.length;
    socket.send({ type: 'subscribe', room, events });
    return waitFor(
      () =>
        socket.frames
          .slice(before)
          .find((frame) => frame.type === 'subscribed' || frame.type === 'error'),
      { message: 'subscribe answer' },
    );
  };

  it('delivers only matching event types, and every type to an unfiltered member', async () => {
    const filtered = await connect(gateway.url, tokenFor('f1', 'A'));
    const sameFilter = await connect(gateway.url, tokenFor('f2', 'A'));
    const everything = await connect(gateway.url, tokenFor('f3', 'A'));
    const before = filtersInUse();
    expect((await subscribeFiltered(filtered, 'project:f', ['pr.*', 'workflow.failed'])).type).toBe(
      'subscribed',
    );
    // The same patterns in another order: the same shared filter.
    await subscribeFiltered(sameFilter, 'project:f', ['workflow.failed', 'pr.*']);
    expect(filtersInUse()).toBe(before + 1);
    await everything.subscribe('project:f');
    const publish = (event: string, data: Record<string, unknown>) =>
      publisher.publish({
        room: 'project:f',
        dealershipId: 'A',
        event: event as 'pr.created',
        data: data as never,
      });
    await publish('pr.created', { prId: '1' });
    await publish('project.updated', { projectId: 'f' });
    await publish('workflow.failed', { workflowId: 'w', error: 'x' });
    await publish('workflow.started', { workflowId: 'w' });
    await waitFor(() => everything.events('project:f').length === 4, { message: 'all four' });
    await waitFor(() => sameFilter.events('project:f').length === 2, { message: 'two' });
    for (const member of [filtered, sameFilter])
      expect(member.events('project:f').map((frame) => [frame['seq'], frame['event']])).toEqual([
        [1, 'pr.created'],
        [3, 'workflow.failed'],
      ]);
    filtered.close();
    sameFilter.close();
    await waitFor(() => filtersInUse() === before, { message: 'filter released' });
  });

  it('refuses malformed patterns and more than 32 of them', async () => {
    const socket = await connect(gateway.url, tokenFor('f4', 'A'));
    const bad = await subscribeFiltered(socket, 'project:g', ['PR*']);
    expect(bad).toMatchObject({ type: 'error', code: 'VALIDATION_ERROR' });
    const tooMany = await subscribeFiltered(
      socket,
      'project:g',
      Array.from({ length: 33 }, (_, i) => `pr.t${i}`),
    );
    expect(tooMany).toMatchObject({ type: 'error', code: 'VALIDATION_ERROR' });
  });
});

describe('permessage-deflate', () => {
  let plain: RunningGateway;
  let compressed: RunningGateway;
  let client: RedisClient;
  let publisher: Publisher;

  beforeAll(async () => {
    plain = await startGateway(redis.server.url, { instanceId: 'deflate-off' });
    compressed = await startGateway(redis.server.url, {
      instanceId: 'deflate-on',
      compression: { thresholdBytes: 256 },
    });
    client = createRedis(redis.server.url);
    publisher = createPublisher(client, { keyspace: ks });
  });
  afterAll(async () => {
    await Promise.all([plain?.close(), compressed?.close()]);
    await publisher?.close();
    client?.disconnect();
  });

  const open = async (gateway: RunningGateway, sub: string) => {
    const socket = new WebSocket(`${gateway.url}?token=${tokenFor(sub, 'Z')}`, {
      perMessageDeflate: true,
    });
    const test = new TestClient(socket);
    await test.opened;
    await test.waitFor((frame) => frame.type === 'connection.established', 'established');
    return test;
  };

  it('is not negotiated by default even when the client offers it', async () => {
    const socket = await open(plain, 'z1');
    expect(socket.socket.extensions).toBe('');
  });

  it('is negotiated when enabled, and large events arrive intact', async () => {
    const socket = await open(compressed, 'z2');
    expect(socket.socket.extensions).toContain('permessage-deflate');
    await socket.subscribe('project:z');
    const changes = { notes: 'x'.repeat(20_000) };
    await publisher.publish({
      room: 'project:z',
      dealershipId: 'Z',
      event: 'project.updated',
      data: { projectId: 'z', changes },
    });
    const frame = await socket.waitFor((f) => f.type === 'event', 'event');
    expect(frame['data']).toEqual({ projectId: 'z', changes });
  });
});
