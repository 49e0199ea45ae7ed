import { createKeyspace } from '@switchboard/keyspace';
import { type Publisher, createPublisher } from '@switchboard/room-log';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type RunningGateway,
  type TestClient,
  connect,
  startGateway,
  tokenFor,
  useRedis,
} from './helper.js';

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
  it.each(matrix)(
    '$who.0 ($who.2 of $who.1) subscribing to $room -> allowed: $allowed',
    async ({ who, room, allowed }) => {
      const client = await connect(gateway.url, tokenFor(who[0], who[1], who[2]));
      const answer = await client.subscribe(room);
      expect(answer.type).toBe(allowed ? 'subscribed' : 'error');
      if (!allowed) expect(answer['code']).toBe('FORBIDDEN');
      client.close();
    },
  );

  it("delivers A's project:1 only to A, and B's only to B", async () => {
    const a = await connect(gateway.url, tokenFor('ua', 'A'));
    const b = await connect(gateway.url, tokenFor('ub', 'B'));
    await a.subscribe('project:1');
    await b.subscribe('project:1');
    await publisher.publish({
      room: 'project:1',
      dealershipId: 'A',
      event: 'project.updated',
      data: { projectId: '1', changes: { owner: 'A' } },
    });
    await publisher.publish({
      room: 'project:1',
      dealershipId: 'B',
      event: 'project.updated',
      data: { projectId: '1', changes: { owner: 'B' } },
    });
    // A later event in each client's own room: once it has it, the other dealership's (published before) would have arrived.
    await publisher.publish({
      room: 'project:1',
      dealershipId: 'A',
      event: 'project.updated',
      data: { projectId: '1', changes: { owner: 'A-after' } },
    });
    await publisher.publish({
      room: 'project:1',
      dealershipId: 'B',
      event: 'project.updated',
      data: { projectId: '1', changes: { owner: 'B-after' } },
    });
    const owner = (frame: Record<string, unknown>) =>
      (frame['data'] as { changes: { owner: string } }).changes.owner;
    await a.waitFor(
      (frame) => frame.type === 'event' && owner(frame) === 'A-after',
      'the later event of A',
    );
    await b.waitFor(
      (frame) => frame.type === 'event' && owner(frame) === 'B-after',
      'the later event of B',
    );
    expect(a.events().map(owner)).toEqual(['A', 'A-after']);
    expect(b.events().map(owner)).toEqual(['B', 'B-after']);
    a.close();
    b.close();
  });

  it('delivers the event frame in the SPEC shape, global to everyone, user rooms only to their user', async () => {
    const a = await connect(gateway.url, tokenFor('ua', 'A'));
    const b = await connect(gateway.url, tokenFor('ub', 'B'));
    const result = await publisher.publish({
      room: 'global',
      dealershipId: 'A',
      event: 'flag.toggled',
      data: { key: 'F', version: 1, actor: 'x', at: 'now', enabled: true },
    });
    for (const client of [a, b]) {
      const frame = await client.waitFor((f) => f.type === 'event' && f.room === 'global');
      expect(frame).toMatchObject({
        type: 'event',
        room: 'global',
        event: 'flag.toggled',
        id: result.id,
        seq: result.seq,
        epoch: result.epoch,
      });
      expect(typeof frame['ts']).toBe('number');
    }
    await publisher.publish({
      room: 'user:ua',
      dealershipId: 'A',
      event: 'ai.suggestion',
      data: { suggestionId: 's', content: 'hi' },
    });
    await a.waitFor((frame) => frame.type === 'event' && frame.room === 'user:ua');
    // A later global event: once b has it, the user-room event published before would have arrived.
    const later = await publisher.publish({
      room: 'global',
      dealershipId: 'A',
      event: 'workflow.progress',
      data: { workflowId: 'after', progress: 1 },
    });
    await b.waitFor(
      (frame) => frame.type === 'event' && frame['id'] === later.id,
      'the later global event',
    );
    expect(b.events('user:ua')).toHaveLength(0);
    a.close();
    b.close();
  });

  it('stops delivering after unsubscribe and refuses to leave automatic rooms', async () => {
    const client = await connect(gateway.url, tokenFor('u1', 'A'));
    await client.subscribe('agent:x');
    client.send({ type: 'unsubscribe', room: 'agent:x' });
    await client.waitFor((frame) => frame.type === 'unsubscribed');
    await publisher.publish({
      room: 'agent:x',
      dealershipId: 'A',
      event: 'agent.connected',
      data: { agentId: 'x' },
    });
    client.send({ type: 'unsubscribe', room: 'global' });
    await client.waitFor((frame) => frame.type === 'error' && frame['room'] === 'global');
    // A later global event: once the client has it, the agent:x event published before would have arrived.
    const later = await publisher.publish({
      room: 'global',
      dealershipId: 'A',
      event: 'workflow.progress',
      data: { workflowId: 'after', progress: 1 },
    });
    await client.waitFor(
      (frame) => frame.type === 'event' && frame['id'] === later.id,
      'the later global event',
    );
    expect(client.events('agent:x')).toHaveLength(0);
    client.close();
  });

  it('subscribes only rooms with local members to Redis channels', async () => {
    const channels = async () =>
      (await publisherRedis.pubsub('CHANNELS', ks.realtime.roomChannel('*'))) as string[];
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
    const result = await publisher.publish({
      room: 'user:watched',
      dealershipId: 'A',
      event: 'ai.suggestion',
      data: { suggestionId: 'w', content: 'x' },
    });
    await admin.waitFor((frame) => frame.type === 'event' && frame['id'] === result.id);
    await user.waitFor((frame) => frame.type === 'event' && frame['id'] === result.id);
    // A later event in the same room: once both have it, a duplicate of the first would have arrived.
    const later = await publisher.publish({
      room: 'user:watched',
      dealershipId: 'A',
      event: 'ai.suggestion',
      data: { suggestionId: 'w2', content: 'x' },
    });
    await admin.waitFor(
      (frame) => frame.type === 'event' && frame['id'] === later.id,
      'the later event at the admin',
    );
    await user.waitFor(
      (frame) => frame.type === 'event' && frame['id'] === later.id,
      'the later event at the user',
    );
    expect(admin.events('user:watched').map((frame) => frame['id'])).toEqual([result.id, later.id]);
    expect(user.events('user:watched').map((frame) => frame['id'])).toEqual([result.id, later.id]);
    admin.close();
    user.close();
  });
});
