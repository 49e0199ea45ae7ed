import { createKeyspace } from '@switchboard/keyspace';
import { SwitchboardClient, type WebSocketConstructor } from '@switchboard/client';
import { type Publisher, createPublisher } from '@switchboard/room-log';
import { waitFor } from '@switchboard/test-redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type RunningGateway, connect, startGateway, tokenFor, useRedis } from './helper.js';

/** The keys the apps under test use: they are built without a KEY_PREFIX. */
const keyspace = createKeyspace('');

// Multi-byte UTF-8 (2-, 3- and 4-byte sequences): a frame encoded once as bytes must arrive intact.
const UNICODE = 'Zürich — 東京 ✓ 🚗';

/** A raw `ws` client that records whether each message arrived as a binary frame. */
function recordKinds(
  socket: WebSocket,
): Array<{ binary: boolean; frame: Record<string, unknown> }> {
  const seen: Array<{ binary: boolean; frame: Record<string, unknown> }> = [];
  socket.on('message', (data, isBinary) =>
    seen.push({ binary: isBinary, frame: JSON.parse(String(data)) as Record<string, unknown> }),
  );
  return seen;
}

describe('room events are shared pre-encoded buffers sent as TEXT frames', () => {
  const redis = useRedis();
  let gateway: RunningGateway;
  let publisherRedis: Redis;
  let publisher: Publisher;

  beforeAll(async () => {
    gateway = await startGateway(redis.server.url, { instanceId: 'gw-text' });
    publisherRedis = new Redis(redis.server.url);
    publisher = createPublisher(publisherRedis, { keyspace });
  });
  afterAll(async () => {
    await gateway.close();
    await publisher.close();
    publisherRedis.disconnect();
  });

  it('every recipient of a live event gets a text frame with the exact UTF-8 payload', async () => {
    const first = await connect(gateway.url, tokenFor('t1', 'A'));
    const second = await connect(gateway.url, tokenFor('t2', 'A'));
    const kindsFirst = recordKinds(first.socket);
    const kindsSecond = recordKinds(second.socket);
    await first.subscribe('project:text');
    await second.subscribe('project:text');
    const published = await publisher.publish({
      room: 'project:text',
      dealershipId: 'A',
      event: 'project.updated',
      data: { projectId: UNICODE },
    });
    for (const kinds of [kindsFirst, kindsSecond]) {
      await waitFor(() => kinds.find((entry) => entry.frame['id'] === published.id), {
        message: 'live event',
      });
      const event = kinds.find((entry) => entry.frame['id'] === published.id)!;
      expect(event.binary).toBe(false);
      expect(event.frame).toMatchObject({
        type: 'event',
        room: 'project:text',
        event: 'project.updated',
        seq: 1,
        data: { projectId: UNICODE },
      });
      // Control frames (subscribed, pong) are text as well.
      expect(kinds.every((entry) => !entry.binary)).toBe(true);
    }
    first.close();
    second.close();
  });

  it('replayed history on resume arrives as text frames too', async () => {
    const published = [];
    for (let i = 0; i < 3; i += 1)
      published.push(
        await publisher.publish({
          room: 'project:replay-text',
          dealershipId: 'A',
          event: 'project.updated',
          data: { projectId: `${UNICODE} ${i}` },
        }),
      );
    const client = await connect(gateway.url, tokenFor('t3', 'A'));
    const kinds = recordKinds(client.socket);
    client.send({
      type: 'resume',
      positions: { 'project:replay-text': 0 },
      epochs: { 'project:replay-text': published[0]!.epoch },
    });
    await waitFor(() => kinds.filter((entry) => entry.frame['type'] === 'event').length === 3, {
      message: 'three replayed events',
    });
    const events = kinds.filter((entry) => entry.frame['type'] === 'event');
    expect(events.map((entry) => entry.binary)).toEqual([false, false, false]);
    expect(events.map((entry) => (entry.frame['data'] as { projectId: string }).projectId)).toEqual(
      [0, 1, 2].map((i) => `${UNICODE} ${i}`),
    );
    client.close();
  });

  it('the client SDK still parses the events', async () => {
    const sdk = new SwitchboardClient({
      url: [gateway.url],
      token: tokenFor('t4', 'A'),
      WebSocket: WebSocket as unknown as WebSocketConstructor,
    });
    await sdk.connect();
    await sdk.subscribe('project:sdk-text');
    const seen: string[] = [];
    sdk.on('project.updated', (data, meta) => seen.push(`${data.projectId}@${meta.seq}`));
    await publisher.publish({
      room: 'project:sdk-text',
      dealershipId: 'A',
      event: 'project.updated',
      data: { projectId: UNICODE },
    });
    await waitFor(() => seen.length === 1, { message: 'SDK event' });
    expect(seen).toEqual([`${UNICODE}@1`]);
    sdk.close();
  });
});
