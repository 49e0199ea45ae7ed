import { createKeyspace } from '@switchboard/keyspace';
import { type Publisher, createPublisher } from '@switchboard/room-log';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, type TestClient, connect, startGateway, tokenFor, useRedis } from './helper.js';

const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

describe('rooms and tenant isolation', () => {
  const redis = useRedis();
  let gateway: RunningGateway;
  let publisherRedis: Redis;
  let publisher: Publisher;
  const ks = createKeyspace('');

  beforeAll(async () => {
    gateway = await startGateway(redis.server.url, { instanceId: 'gw-rooms' });
    publisherRedis = new Redis(redis.server.url);
    publisher = createPublisher(publisherRedis, { keyspace: ks });
    await publisherRedis.hset(ks.sandbox.metadata('sb-a'), 'dealershipId', 'A');
    await publisherRedis.hset(ks.sandbox.metadata('sb-b'), 'dealershipId', 'B');
  });
  afterAll(async () => {
    await gateway.close();
    await publisher.close();
    publisherRedis.disconnect();
  });

  const matrix = [
    { who: ['u1', 'A', 'user'], room: 'project:1', allowed: true },
    { who: ['u1', 'A', 'user'], room: 'dealership:A', allowed: true },
    { who: ['u1', 'A', 'user'], room: 'dealership:B', allowed: false },
    { who: ['u1', 'A', 'user'], room: 'user:u2', allowed: false },
    { who: ['u1', 'A', 'user'], room: 'sandbox:sb-a', allowed: true },
    { who: ['u1', 'A', 'user'], room: 'sandbox:sb-b', allowed: false },
    { who: ['u1', 'A', 'user'], room: 'sandbox:missing', allowed: false },
    { who: ['ag', 'A', 'agent'], room: 'agent:ag', allowed: true },
    { who: ['root', 'A', 'admin'], room: 'dealership:B', allowed: true },
    { who: ['root', 'A', 'admin'], room: 'sandbox:sb-b', allowed: true },
    { who: ['root', 'A', 'admin'], room: 'user:u2', allowed: true },
  ] as const;
  it.each(matrix)('$who.0 ($who.2 of $who.1) subscribing to $room -> allowed: $allowed', async ({ who, room, allowed }) => {
    const client = await connect(gateway.url, tokenFor(who[0], who[1], who[2]));
    const answer = await client.subscribe(room);
    expect(answer.type).toBe(allowed ? 'subscribed' : 'error');
    if (!allowed) expect(answer['code']).toBe('FORBIDDEN');
    client.close();
  });

  it("delivers A's project:1 only to A, and B's only to B", async () => {
    const a = await connect(gateway.url, tokenFor('ua', 'A'));
    const b = await connect(gateway.url, tokenFor('ub', 'B'));
    await a.subscribe('project:1');
    await b.subscribe('project:1');
    await publisher.publish({ room: 'project:1', dealershipId: 'A', event: 'project.updated', data: { projectId: '1', changes: { owner: 'A' } } });
    await publisher.publish({ room: 'project:1', dealershipId: 'B', event: 'project.updated', data: { projectId: '1', changes: { owner: 'B' } } });
    await a.waitFor((frame) => frame.type === 'event');
    await b.waitFor((frame) => frame.type === 'event');
    await settle();
    expect(a.events().map((frame) => (frame['data'] as { changes: { owner: string } }).changes.owner)).toEqual(['A']);
    expect(b.events().map((frame) => (frame['data'] as { changes: { owner: string } }).changes.owner)).toEqual(['B']);
    a.close();
    b.close();
  });

  it('delivers the event frame in the SPEC shape, global to everyone, user rooms only to their user', async () => {
    const a = await connect(gateway.url, tokenFor('ua', 'A'));
    const b = await connect(gateway.url, tokenFor('ub', 'B'));
    const result = await publisher.publish({ room: 'global', dealershipId: 'A', event: 'flag.toggled', data: { key: 'F', version: 1, actor: 'x', at: 'now', enabled: true } });
    for (const client of [a, b]) {
      const frame = await client.waitFor((f) => f.type === 'event' && f.room === 'global');
      expect(frame).toMatchObject({ type: 'event', room: 'global', event: 'flag.toggled', id: result.id, seq: result.seq, epoch: result.epoch });
      expect(typeof frame['ts']).toBe('number');
    }
    await publisher.publish({ room: 'user:ua', dealershipId: 'A', event: 'ai.suggestion', data: { suggestionId: 's', content: 'hi' } });
    await a.waitFor((frame) => frame.type === 'event' && frame.room === 'user:ua');
    await settle();
    expect(b.events('user:ua')).toHaveLength(0);
    a.close();
    b.close();
  });

  it('stops delivering after unsubscribe and refuses to leave automatic rooms', async () => {
    const client = await connect(gateway.url, tokenFor('u1', 'A'));
    await client.subscribe('agent:x');
    client.send({ type: 'unsubscribe', room: 'agent:x' });
    await client.waitFor((frame) => frame.type === 'unsubscribed');
    await publisher.publish({ room: 'agent:x', dealershipId: 'A', event: 'agent.connected', data: { agentId: 'x' } });
    client.send({ type: 'unsubscribe', room: 'global' });
    await client.waitFor((frame) => frame.type === 'error' && frame['room'] === 'global');
    await settle();
    expect(client.events('agent:x')).toHaveLength(0);
    client.close();
  });

  it('subscribes only rooms with local members to Redis channels', async () => {
    const channels = async () => (await publisherRedis.pubsub('CHANNELS', ks.realtime.roomChannel('*'))) as string[];
    const client: TestClient = await connect(gateway.url, tokenFor('u1', 'A'));
    await client.subscribe('project:only-here');
    expect(await channels()).toContain(ks.realtime.roomChannel('d:A:project:only-here'));
    client.send({ type: 'unsubscribe', room: 'project:only-here' });
    await client.waitFor((frame) => frame.type === 'unsubscribed');
    await expect.poll(channels).not.toContain(ks.realtime.roomChannel('d:A:project:only-here'));
    client.close();
  });
  it("lets an admin watch another user's room from any instance", async () => {
    const admin = await connect(gateway.url, tokenFor('root', 'A', 'admin'));
    const user = await connect(gateway.url, tokenFor('watched', 'A'));
    await admin.subscribe('user:watched');
    const result = await publisher.publish({ room: 'user:watched', dealershipId: 'A', event: 'ai.suggestion', data: { suggestionId: 'w', content: 'x' } });
    await admin.waitFor((frame) => frame.type === 'event' && frame['id'] === result.id);
    await user.waitFor((frame) => frame.type === 'event' && frame['id'] === result.id);
    await settle();
    expect(admin.events('user:watched')).toHaveLength(1);
    expect(user.events('user:watched')).toHaveLength(1);
    admin.close();
    user.close();
  });
});
