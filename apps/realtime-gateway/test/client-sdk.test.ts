import { createKeyspace } from '@switchboard/keyspace';
import { SwitchboardClient, type WebSocketConstructor } from '@switchboard/client';
import { type Publisher, createPublisher } from '@switchboard/room-log';
import { waitFor } from '@switchboard/test-redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import WebSocket from 'ws';
import { type RunningGateway, startGateway, tokenFor, useRedis } from './helper.js';

/** The keys the apps under test use: they are built without a KEY_PREFIX. */
const keyspace = createKeyspace('');

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, index) => from + index);

describe('@switchboard/client against real gateways', () => {
  const redis = useRedis();
  let a: RunningGateway;
  let b: RunningGateway;
  let publisherRedis: Redis;
  let publisher: Publisher;

  beforeAll(async () => {
    a = await startGateway(redis.server.url, { instanceId: 'gw-sdk-a' });
    b = await startGateway(redis.server.url, { instanceId: 'gw-sdk-b' });
    publisherRedis = new Redis(redis.server.url);
    publisher = createPublisher(publisherRedis, { keyspace });
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    await publisher.close();
    publisherRedis.disconnect();
  });

  /** An SDK client, closed when the test ends even if an assertion failed first. */
  const client = (urls: string[], token: string | (() => string)) => {
    const sdk = new SwitchboardClient({
      url: urls,
      token,
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
    });
    onTestFinished(() => sdk.close());
    return sdk;
  };

  it('delivers typed events to on(event) handlers', async () => {
    const sdk = client([a.url], tokenFor('u1', 'A'));
    await sdk.connect();
    await sdk.subscribe('project:typed');
    const seen: string[] = [];
    sdk.on('project.updated', (data, meta) => seen.push(`${data.projectId}@${meta.seq}`));
    await publisher.publish({
      room: 'project:typed',
      dealershipId: 'A',
      event: 'project.updated',
      data: { projectId: 'p9' },
    });
    await waitFor(() => seen.length === 1, { message: 'typed event' });
    expect(seen).toEqual(['p9@1']);
    sdk.close();
  });

  it('rejects connect() when the WebSocket implementation refuses the URL', async () => {
    const sdk = client(['not a url'], tokenFor('u1', 'A'));
    await expect(sdk.connect()).rejects.toThrow(/Invalid URL/);
    expect(sdk.currentState).toBe('closed');
  });

  it('rejects a forbidden subscribe', async () => {
    const sdk = client([a.url], tokenFor('u1', 'A'));
    await sdk.connect();
    await expect(sdk.subscribe('dealership:B')).rejects.toThrow(/FORBIDDEN/);
    sdk.close();
  });

  it('reconnects to the next instance after its socket dies and resumes with no gap and no duplicate', async () => {
    let tokens = 0;
    const sdk = client([a.url, b.url], () => {
      tokens += 1;
      return tokenFor('u1', 'A');
    });
    await sdk.connect();
    await sdk.subscribe('project:sdk');
    const received: number[] = [];
    sdk.onAny((_event, _data, meta) => {
      if (meta.room === 'project:sdk') received.push(meta.seq);
    });
    const instances: string[] = [];
    sdk.onClient('connected', ({ instanceId }) => instances.push(instanceId));
    const flow = (async () => {
      for (let i = 0; i < 1000; i += 1)
        await publisher.publish({
          room: 'project:sdk',
          dealershipId: 'A',
          event: 'workflow.progress',
          data: { workflowId: 'w', progress: i % 100 },
        });
    })();
    await waitFor(() => received.length >= 100, { message: '100 events', timeoutMs: 15_000 });
    for (const connection of a.app.gateway.connections.values()) connection.socket.terminate();
    await flow;
    await waitFor(() => received.length >= 1000, { message: '1 000 events', timeoutMs: 20_000 });
    // A later event in the room: once it is here, a duplicate of an earlier one would have arrived.
    await publisher.publish({
      room: 'project:sdk',
      dealershipId: 'A',
      event: 'workflow.progress',
      data: { workflowId: 'w', progress: 100 },
    });
    await waitFor(() => received.includes(1001), { message: 'the later event' });
    expect(received).toEqual(range(1, 1001));
    expect(instances).toEqual(['gw-sdk-b']);
    expect(tokens).toBe(2);
    sdk.close();
  });

  it('resumes global and its own user room after a reconnect while both keep flowing: no gap, no duplicate', async () => {
    const sdk = client([a.url, b.url], tokenFor('u-auto', 'A'));
    await sdk.connect();
    const received: Record<string, number[]> = { global: [], 'user:u-auto': [] };
    const duplicates: string[] = [];
    sdk.onAny((_event, _data, meta) => received[meta.room]?.push(meta.seq));
    sdk.onClient('duplicate', ({ id }) => duplicates.push(id));
    const perRoom = 400;
    const flow = (async () => {
      for (let i = 0; i < perRoom; i += 1) {
        await publisher.publish({
          room: 'global',
          dealershipId: 'A',
          event: 'workflow.progress',
          data: { workflowId: 'g', progress: i % 100 },
        });
        await publisher.publish({
          room: 'user:u-auto',
          dealershipId: 'A',
          event: 'workflow.progress',
          data: { workflowId: 'u', progress: i % 100 },
        });
      }
    })();
    await waitFor(() => received['global']!.length >= 50 && received['user:u-auto']!.length >= 50, {
      message: '50 events in each room',
      timeoutMs: 15_000,
    });
    for (const connection of a.app.gateway.connections.values()) connection.socket.terminate();
    await flow;
    await waitFor(
      () => received['global']!.length >= perRoom && received['user:u-auto']!.length >= perRoom,
      { message: 'every event in both rooms', timeoutMs: 20_000 },
    );
    // A later event in each room: once it is here, a duplicate of an earlier one would have arrived.
    const later = {
      global: await publisher.publish({
        room: 'global',
        dealershipId: 'A',
        event: 'workflow.progress',
        data: { workflowId: 'g', progress: 0 },
      }),
      'user:u-auto': await publisher.publish({
        room: 'user:u-auto',
        dealershipId: 'A',
        event: 'workflow.progress',
        data: { workflowId: 'u', progress: 0 },
      }),
    };
    await waitFor(
      () => Object.entries(later).every(([room, result]) => received[room]!.includes(result.seq)),
      { message: 'the later event in both rooms' },
    );
    for (const seqs of Object.values(received)) {
      // global may carry messages of earlier tests: what matters is one unbroken run, in order.
      expect(seqs).toEqual(range(seqs[0]!, seqs[0]! + perRoom));
    }
    expect(duplicates).toEqual([]);
    sdk.close();
  }, 30_000);

  it('receives a message published twice (same id) once', async () => {
    const sdk = client([a.url], tokenFor('u1', 'A'));
    await sdk.connect();
    await sdk.subscribe('project:dup');
    const ids: string[] = [];
    const duplicates: string[] = [];
    sdk.onAny((_event, _data, meta) => ids.push(meta.id));
    sdk.onClient('duplicate', ({ id }) => duplicates.push(id));
    const first = await publisher.publish({
      room: 'project:dup',
      dealershipId: 'A',
      event: 'project.updated',
      data: { projectId: 'd' },
      id: 'same-id',
    });
    const retried = await publisher.publish({
      room: 'project:dup',
      dealershipId: 'A',
      event: 'project.updated',
      data: { projectId: 'd' },
      id: 'same-id',
    });
    // The room log appends an id once: the retry is answered with the first seq.
    expect(retried.seq).toBe(first.seq);
    await publisher.publish({
      room: 'project:dup',
      dealershipId: 'A',
      event: 'project.updated',
      data: { projectId: 'd' },
      id: 'other-id',
    });
    await waitFor(() => ids.includes('other-id'), { message: 'third message' });
    expect(ids).toEqual(['same-id', 'other-id']);
    expect(duplicates).toEqual([]);
    sdk.close();
  });
});
