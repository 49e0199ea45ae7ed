import { createKeyspace } from '@switchboard/keyspace';
import { createPublisher } from '@switchboard/room-log';
import { waitFor } from '@switchboard/test-redis';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, connect, startGateway, tokenFor, useRedis } from './helper.js';

const ks = createKeyspace('');

describe('offline queue', () => {
  const redis = useRedis();
  let gateway: RunningGateway;
  let publisherRedis: Redis;
  let jobs: Queue;

  beforeAll(async () => {
    gateway = await startGateway(redis.server.url, { instanceId: 'gw-offline' });
    publisherRedis = new Redis(redis.server.url);
    jobs = new Queue(ks.queues.offlineDeliveries, {
      connection: publisherRedis,
      prefix: ks.queues.bullmqPrefix,
    });
  });
  afterAll(async () => {
    await gateway.close();
    await jobs.close();
    publisherRedis.disconnect();
  });

  const suggestion = (n: number) => ({ suggestionId: String(n), content: `n${n}` });

  it("keeps a user's connection set only while the user is connected (it has a TTL)", async () => {
    const client = await connect(gateway.url, tokenFor('ttl-user', 'A'));
    const key = ks.realtime.userConnections('A', 'ttl-user');
    await waitFor(async () => (await publisherRedis.zcard(key)) === 1, {
      message: 'the connection registered',
    });
    const ttl = await publisherRedis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    client.close();
  });

  it('queues messages for an offline user (visible as BullMQ jobs) and delivers them in order, once, on connect', async () => {
    const publisher = createPublisher(publisherRedis, { keyspace: ks });
    const ids: string[] = [];
    for (let n = 1; n <= 5; n += 1) {
      const result = await publisher.publish({
        room: 'user:off1',
        dealershipId: 'A',
        event: 'ai.suggestion',
        data: suggestion(n),
      });
      expect(result.route).toBe('queued');
      ids.push(result.id);
    }
    expect(await publisherRedis.llen(ks.realtime.offlineQueue('A', 'off1'))).toBe(5);
    const job = await jobs.getJob(ids[0]!);
    expect(job?.data).toMatchObject({ dealershipId: 'A', userId: 'off1', messageId: ids[0] });
    expect(await job?.getState()).toBe('delayed');

    const client = await connect(gateway.url, tokenFor('off1', 'A'));
    await waitFor(() => client.events('user:off1').length === 5, { message: 'five queued events' });
    expect(client.events('user:off1').map((frame) => frame['id'])).toEqual(ids);
    expect(await publisherRedis.exists(ks.realtime.offlineQueue('A', 'off1'))).toBe(0);
    await expect.poll(async () => (await jobs.getJob(ids[0]!)) ?? null).toBeNull();

    // Now live: routed directly, not queued; and a second connection does not get the old ones again.
    const live = await publisher.publish({
      room: 'user:off1',
      dealershipId: 'A',
      event: 'ai.suggestion',
      data: suggestion(6),
    });
    expect(live.route).toBe('direct');
    await client.waitFor((frame) => frame['id'] === live.id);
    const second = await connect(gateway.url, tokenFor('off1', 'A'));
    // A later live message: queued ones are handed over before the room's live ones, so once
    // the second connection has it, anything still queued would have arrived.
    const later = await publisher.publish({
      room: 'user:off1',
      dealershipId: 'A',
      event: 'ai.suggestion',
      data: suggestion(7),
    });
    await second.waitFor((frame) => frame['id'] === later.id, 'the later live message');
    await client.waitFor(
      (frame) => frame['id'] === later.id,
      'the later live message on the first connection',
    );
    expect(second.events('user:off1').map((frame) => frame['id'])).toEqual([later.id]);
    expect(client.events('user:off1').map((frame) => frame['id'])).toEqual([
      ...ids,
      live.id,
      later.id,
    ]);
    client.close();
    second.close();
    await publisher.close();
  });

  it('keeps at most the configured length, dropping the oldest, and counts them', async () => {
    const publisher = createPublisher(publisherRedis, {
      keyspace: ks,
      offlineQueue: { maxLength: 3 },
      offlineJobs: false,
    });
    const results = [];
    for (let n = 1; n <= 5; n += 1)
      results.push(
        await publisher.publish({
          room: 'user:off2',
          dealershipId: 'A',
          event: 'ai.suggestion',
          data: suggestion(n),
        }),
      );
    expect(results.map((result) => result.dropped)).toEqual([0, 0, 0, 1, 1]);
    const client = await connect(gateway.url, tokenFor('off2', 'A'));
    await waitFor(() => client.events('user:off2').length === 3, { message: 'three newest' });
    expect(
      client
        .events('user:off2')
        .map((frame) => (frame['data'] as { suggestionId: string }).suggestionId),
    ).toEqual(['3', '4', '5']);
    client.close();
    await publisher.close();
  });

  it('hands a queued message its publisher sent twice (same id) over once', async () => {
    const publisher = createPublisher(publisherRedis, { keyspace: ks, offlineJobs: false });
    for (const id of ['twice', 'twice', 'once'])
      await publisher.publish({
        room: 'user:off-dup',
        dealershipId: 'A',
        event: 'ai.suggestion',
        data: suggestion(1),
        id,
      });
    const client = await connect(gateway.url, tokenFor('off-dup', 'A'));
    await waitFor(() => client.events('user:off-dup').some((frame) => frame['id'] === 'once'), {
      message: 'the queued messages',
    });
    expect(client.events('user:off-dup').map((frame) => frame['id'])).toEqual(['twice', 'once']);
    client.close();
    await publisher.close();
  });

  it('expires the queue after its TTL', async () => {
    const publisher = createPublisher(publisherRedis, {
      keyspace: ks,
      offlineQueue: { ttlSec: 1 },
      offlineJobs: false,
    });
    await publisher.publish({
      room: 'user:off3',
      dealershipId: 'A',
      event: 'ai.suggestion',
      data: suggestion(1),
    });
    expect(await publisherRedis.pttl(ks.realtime.offlineQueue('A', 'off3'))).toBeGreaterThan(0);
    await waitFor(
      async () => (await publisherRedis.exists(ks.realtime.offlineQueue('A', 'off3'))) === 0,
      { message: 'queue expiry', timeoutMs: 5_000 },
    );
    const client = await connect(gateway.url, tokenFor('off3', 'A'));
    // A later live message: queued ones come before the room's live ones, so once it is here
    // an expired one that was still handed over would have arrived.
    const later = await publisher.publish({
      room: 'user:off3',
      dealershipId: 'A',
      event: 'ai.suggestion',
      data: suggestion(2),
    });
    await client.waitFor((frame) => frame['id'] === later.id, 'the later live message');
    expect(client.events('user:off3').map((frame) => frame['id'])).toEqual([later.id]);
    client.close();
    await publisher.close();
  });

  it("never hands one tenant's queue to another tenant's user of the same id", async () => {
    const publisher = createPublisher(publisherRedis, { keyspace: ks, offlineJobs: false });
    await publisher.publish({
      room: 'user:same',
      dealershipId: 'A',
      event: 'ai.suggestion',
      data: suggestion(1),
    });
    const fromB = await connect(gateway.url, tokenFor('same', 'B'));
    // A later live message for B's user: queued ones come before the room's live ones, so once
    // it is here A's queued one would have arrived if it were handed over.
    const later = await publisher.publish({
      room: 'user:same',
      dealershipId: 'B',
      event: 'ai.suggestion',
      data: suggestion(2),
    });
    await fromB.waitFor((frame) => frame['id'] === later.id, 'the later live message');
    expect(fromB.events().map((frame) => frame['id'])).toEqual([later.id]);
    expect(await publisherRedis.llen(ks.realtime.offlineQueue('A', 'same'))).toBe(1);
    fromB.close();
    await publisher.close();
  });
  it('puts a user message that arrives after the user left back in the offline queue', async () => {
    // As if the publisher saw the connection just before it closed: the message reaches the
    // instance over ws:direct with no member left to take it.
    const late = {
      id: 'late-1',
      room: 'user:gone',
      dealershipId: 'A',
      event: 'ai.suggestion',
      data: suggestion(1),
      seq: 1,
      epoch: 'e1',
      ts: Date.now(),
    };
    await publisherRedis.publish(ks.realtime.directChannel('gw-offline'), JSON.stringify(late));
    await waitFor(
      async () => (await publisherRedis.llen(ks.realtime.offlineQueue('A', 'gone'))) === 1,
      { message: 'requeued' },
    );
    expect(await jobs.getJob('late-1')).toBeTruthy();
    const client = await connect(gateway.url, tokenFor('gone', 'A'));
    await client.waitFor((frame) => frame['id'] === 'late-1');
    client.close();
  });

  it('puts a late user message back in the queue even while an admin watches the user room here', async () => {
    const admin = await connect(gateway.url, tokenFor('root', 'A', 'admin'));
    expect((await admin.subscribe('user:watched')).type).toBe('subscribed');
    const late = {
      id: 'late-3',
      room: 'user:watched',
      dealershipId: 'A',
      event: 'ai.suggestion',
      data: suggestion(1),
      seq: 1,
      epoch: 'e1',
      ts: Date.now(),
    };
    await publisherRedis.publish(ks.realtime.directChannel('gw-offline'), JSON.stringify(late));
    await waitFor(
      async () => (await publisherRedis.llen(ks.realtime.offlineQueue('A', 'watched'))) === 1,
      { message: 'requeued' },
    );
    admin.close();
  });

  it("puts a late user message back in the queue when the user's only other connection is on a crashed instance", async () => {
    // gw-crashed stopped heartbeating 10 s ago: its entry for the user still looks fresh.
    await publisherRedis.zadd(ks.realtime.instances(), Date.now() - 10_000, 'gw-crashed');
    await publisherRedis.zadd(
      ks.realtime.userConnections('A', 'orphan'),
      Date.now(),
      'gw-crashed client-x',
    );
    // Liveness is read at most every 500 ms.
    await new Promise((resolve) => setTimeout(resolve, 600));
    const late = {
      id: 'late-2',
      room: 'user:orphan',
      dealershipId: 'A',
      event: 'ai.suggestion',
      data: suggestion(1),
      seq: 1,
      epoch: 'e1',
      ts: Date.now(),
    };
    await publisherRedis.publish(ks.realtime.directChannel('gw-offline'), JSON.stringify(late));
    await waitFor(
      async () => (await publisherRedis.llen(ks.realtime.offlineQueue('A', 'orphan'))) === 1,
      { message: 'requeued' },
    );
  });
});
