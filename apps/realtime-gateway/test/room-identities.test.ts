import { createKeyspace } from '@switchboard/keyspace';
import { type Publisher, createPublisher } from '@switchboard/room-log';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, connect, startGateway, tokenFor, useRedis } from './helper.js';

/** The keys the apps under test use: they are built without a KEY_PREFIX. */
const keyspace = createKeyspace('');

describe('user rooms for any sub, and admins watching a user', () => {
  const redis = useRedis();
  let a: RunningGateway;
  let b: RunningGateway;
  let publisherRedis: Redis;
  let publisher: Publisher;

  beforeAll(async () => {
    a = await startGateway(redis.server.url, { instanceId: 'gw-ident-a' });
    b = await startGateway(redis.server.url, { instanceId: 'gw-ident-b' });
    publisherRedis = new Redis(redis.server.url);
    publisher = createPublisher(publisherRedis, { keyspace, offlineJobs: false });
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    await publisher.close();
    publisherRedis.disconnect();
  });

  const suggestion = (content: string) => ({ suggestionId: content, content });

  it("delivers alice's user-room events to an admin of alice's dealership watching user:alice, on another instance", async () => {
    const alice = await connect(a.url, tokenFor('alice', 'A'));
    const admin = await connect(b.url, tokenFor('root', 'A', 'admin'));
    expect((await admin.subscribe('user:alice')).type).toBe('subscribed');
    await publisher.publish({
      room: 'user:alice',
      dealershipId: 'A',
      event: 'ai.suggestion',
      data: suggestion('to-alice'),
    });
    await alice.waitFor(
      (frame) => frame.type === 'event' && frame['room'] === 'user:alice',
      'alice gets it',
    );
    await admin.waitFor(
      (frame) => frame.type === 'event' && frame['room'] === 'user:alice',
      'the admin gets it',
    );
    alice.close();
    admin.close();
  });

  it.each(['alice@example.com', 'team:alice', 'a/b', '100%real', 'user:x'])(
    'gives the legal sub %s a working user room',
    async (sub) => {
      const client = await connect(a.url, tokenFor(sub, 'A'));
      const established = client.of('connection.established')[0]!;
      expect(established['rooms']).toContain(`user:${sub}`);
      const result = await publisher.publish({
        room: `user:${sub}`,
        dealershipId: 'A',
        event: 'ai.suggestion',
        data: suggestion(sub),
      });
      expect(result.route).toBe('direct');
      const event = await client.waitFor((frame) => frame.type === 'event', 'its user event');
      expect(event).toMatchObject({ room: `user:${sub}`, data: { content: sub } });
      client.close();
    },
  );
});
