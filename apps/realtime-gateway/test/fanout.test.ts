import { roomKey } from '@switchboard/events';
import { createKeyspace } from '@switchboard/keyspace';
import { type Publisher, createPublisher } from '@switchboard/room-log';
import { waitFor } from '@switchboard/test-redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Frame,
  type RunningGateway,
  connect,
  startGateway,
  tokenFor,
  useRedis,
} from './helper.js';

const ks = createKeyspace('');
const seqs = (frames: Frame[]) => frames.map((frame) => Number(frame['seq']));
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, index) => from + index);

describe('fan-out across instances, history and resume', () => {
  const redis = useRedis();
  let a: RunningGateway;
  let b: RunningGateway;
  let publisherRedis: Redis;
  let publisher: Publisher;

  beforeAll(async () => {
    a = await startGateway(redis.server.url, { instanceId: 'gw-a' });
    b = await startGateway(redis.server.url, { instanceId: 'gw-b' });
    publisherRedis = new Redis(redis.server.url);
    publisher = createPublisher(publisherRedis, { keyspace: ks });
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    await publisher.close();
    publisherRedis.disconnect();
  });

  it('delivers to clients on every instance, once each', async () => {
    const onA = await connect(a.url, tokenFor('u1', 'A'));
    const onB = await connect(b.url, tokenFor('u2', 'A'));
    await onA.subscribe('project:x');
    await onB.subscribe('project:x');
    for (let i = 0; i < 20; i += 1)
      await publisher.publish({
        room: 'project:x',
        dealershipId: 'A',
        event: 'project.updated',
        data: { projectId: 'x' },
      });
    await waitFor(
      () => onA.events('project:x').length === 20 && onB.events('project:x').length === 20,
      { message: '20 events on both' },
    );
    expect(seqs(onA.events('project:x'))).toEqual(range(1, 20));
    expect(seqs(onB.events('project:x'))).toEqual(range(1, 20));
    onA.close();
    onB.close();
  });

  it('appends and delivers a message its publisher sent twice (same id) once, live and on resume', async () => {
    const live = await connect(a.url, tokenFor('u1', 'A'));
    await live.subscribe('project:retry');
    const first = await publisher.publish({
      room: 'project:retry',
      dealershipId: 'A',
      event: 'project.updated',
      data: { projectId: 'r' },
      id: 'retried-1',
    });
    const again = await publisher.publish({
      room: 'project:retry',
      dealershipId: 'A',
      event: 'project.updated',
      data: { projectId: 'r' },
      id: 'retried-1',
    });
    // The room already had the id: the retry gets its first seq and appends nothing.
    expect(again.seq).toBe(first.seq);
    const after = await publisher.publish({
      room: 'project:retry',
      dealershipId: 'A',
      event: 'project.updated',
      data: { projectId: 'r' },
      id: 'after-1',
    });
    expect(after.seq).toBe(first.seq + 1);
    await live.waitFor((frame) => frame['id'] === 'after-1');
    expect(live.events('project:retry').map((frame) => frame['id'])).toEqual([
      'retried-1',
      'after-1',
    ]);
    live.close();
    // History holds one copy; a resume from before it replays the id once.
    const resumed = await connect(b.url, tokenFor('u1', 'A'));
    resumed.send({
      type: 'resume',
      positions: { 'project:retry': first.seq - 1 },
      epochs: { 'project:retry': first.epoch },
    });
    expect(await resumed.waitFor((frame) => frame.type === 'resumed')).toMatchObject({
      recovered: true,
      seq: after.seq,
    });
    expect(resumed.events('project:retry').map((frame) => frame['id'])).toEqual([
      'retried-1',
      'after-1',
    ]);
    resumed.close();
  });

  it('routes user rooms to the instance holding the user, over ws:direct', async () => {
    const onB = await connect(b.url, tokenFor('direct-user', 'A'));
    const result = await publisher.publish({
      room: 'user:direct-user',
      dealershipId: 'A',
      event: 'ai.suggestion',
      data: { suggestionId: '1', content: 'x' },
    });
    expect(result.route).toBe('direct');
    await onB.waitFor((frame) => frame.type === 'event' && frame['id'] === result.id);
    onB.close();
  });

  it('fills a gap in live traffic from history (a lost pub/sub message)', async () => {
    const client = await connect(a.url, tokenFor('u1', 'A'));
    await client.subscribe('project:gap');
    await publisher.publish({
      room: 'project:gap',
      dealershipId: 'A',
      event: 'project.updated',
      data: { projectId: 'gap' },
    });
    // seq 2 reaches history but never pub/sub, as when a subscriber misses a message.
    const key = roomKey('A', 'project:gap');
    const epoch = await publisherRedis.get(ks.realtime.roomEpoch(key));
    const seq = await publisherRedis.incr(ks.realtime.roomSeq(key));
    const lost = {
      seq,
      epoch,
      id: 'lost-message',
      room: 'project:gap',
      dealershipId: 'A',
      event: 'project.updated',
      data: { projectId: 'gap' },
      ts: Date.now(),
    };
    await publisherRedis.xadd(ks.realtime.roomHistory(key), `${seq}-0`, 'm', JSON.stringify(lost));
    await publisher.publish({
      room: 'project:gap',
      dealershipId: 'A',
      event: 'project.updated',
      data: { projectId: 'gap' },
    });
    await waitFor(() => client.events('project:gap').length === 3, { message: 'three events' });
    expect(seqs(client.events('project:gap'))).toEqual([1, 2, 3]);
    expect(client.events('project:gap')[1]?.['id']).toBe('lost-message');
    client.close();
  });

  it('fills the gap when the first message of a room that had none is lost', async () => {
    const client = await connect(a.url, tokenFor('u1', 'A'));
    expect(await client.subscribe('project:gap-first')).toMatchObject({
      type: 'subscribed',
      seq: 0,
    });
    // seq 1 (and the room's epoch) reach Redis, but the message never reaches pub/sub.
    const key = roomKey('A', 'project:gap-first');
    const epoch = 'epoch-first';
    await publisherRedis.set(ks.realtime.roomEpoch(key), epoch);
    const seq = await publisherRedis.incr(ks.realtime.roomSeq(key));
    const lost = {
      seq,
      epoch,
      id: 'lost-first',
      room: 'project:gap-first',
      dealershipId: 'A',
      event: 'project.updated',
      data: { projectId: 'first' },
      ts: Date.now(),
    };
    await publisherRedis.xadd(ks.realtime.roomHistory(key), `${seq}-0`, 'm', JSON.stringify(lost));
    await publisher.publish({
      room: 'project:gap-first',
      dealershipId: 'A',
      event: 'project.updated',
      data: { projectId: 'first' },
    });
    await waitFor(() => client.events('project:gap-first').length === 2, {
      message: 'both events',
    });
    expect(seqs(client.events('project:gap-first'))).toEqual([1, 2]);
    expect(client.events('project:gap-first')[0]?.['id']).toBe('lost-first');
    client.close();
  });

  it('resumes on another instance after a forced disconnect: 1 000 messages, no gap, no duplicate', async () => {
    const token = tokenFor('u1', 'A');
    const first = await connect(a.url, token);
    await first.subscribe('project:flow');
    let published = 0;
    const flow = (async () => {
      for (; published < 1000; published += 1) {
        await publisher.publish({
          room: 'project:flow',
          dealershipId: 'A',
          event: 'workflow.progress',
          data: { workflowId: 'w', progress: published % 100 },
        });
      }
    })();
    await waitFor(() => first.events('project:flow').length >= 200, {
      message: '200 events before the cut',
      timeoutMs: 15_000,
    });
    first.socket.terminate();
    await first.closed;
    const seen = seqs(first.events('project:flow'));
    const last = Math.max(...seen);
    const epoch = String(first.events('project:flow').at(-1)?.['epoch']);

    const second = await connect(b.url, token);
    second.send({
      type: 'resume',
      positions: { 'project:flow': last },
      epochs: { 'project:flow': epoch },
    });
    const resumed = await second.waitFor((frame) => frame.type === 'resumed');
    expect(resumed).toMatchObject({ room: 'project:flow', recovered: true });
    await flow;
    await waitFor(() => seen.length + second.events('project:flow').length >= 1000, {
      message: 'all 1 000 events',
      timeoutMs: 15_000,
    });
    const all = [...seen, ...seqs(second.events('project:flow'))];
    expect(all).toEqual(range(1, 1000));
    second.close();
  });

  it('says recovered: false when history no longer covers the position, and continues live', async () => {
    for (let i = 0; i < 5; i += 1)
      await publisher.publish({
        room: 'agent:old',
        dealershipId: 'A',
        event: 'agent.connected',
        data: { agentId: 'old' },
      });
    await publisherRedis.xtrim(ks.realtime.roomHistory(roomKey('A', 'agent:old')), 'MAXLEN', 2);
    const client = await connect(b.url, tokenFor('u1', 'A'));
    client.send({ type: 'resume', positions: { 'agent:old': 1 } });
    const resumed = await client.waitFor((frame) => frame.type === 'resumed');
    expect(resumed).toMatchObject({ recovered: false, replayed: 0, seq: 5 });
    expect(client.events('agent:old')).toHaveLength(0);
    await publisher.publish({
      room: 'agent:old',
      dealershipId: 'A',
      event: 'agent.connected',
      data: { agentId: 'old' },
    });
    const live = await client.waitFor(
      (frame) => frame.type === 'event' && frame.room === 'agent:old',
    );
    expect(live['seq']).toBe(6);
    client.close();
  });

  it('says recovered: false for a position of another epoch', async () => {
    await publisher.publish({
      room: 'agent:ep',
      dealershipId: 'A',
      event: 'agent.connected',
      data: { agentId: 'ep' },
    });
    const client = await connect(a.url, tokenFor('u1', 'A'));
    client.send({
      type: 'resume',
      positions: { 'agent:ep': 0 },
      epochs: { 'agent:ep': 'stale-epoch' },
    });
    expect(await client.waitFor((frame) => frame.type === 'resumed')).toMatchObject({
      recovered: false,
    });
    // A position without its epoch cannot be checked against lost history: not recovered either.
    client.send({ type: 'resume', positions: { 'agent:ep': 1 } });
    expect(
      await client.waitFor((frame) => frame.type === 'resumed' && frame['recovered'] === false),
    ).toMatchObject({ room: 'agent:ep', replayed: 0 });
    client.send({ type: 'resume', positions: { 'dealership:B': 0 } });
    await client.waitFor(
      (frame) =>
        frame.type === 'error' && frame['room'] === 'dealership:B' && frame['code'] === 'FORBIDDEN',
    );
    client.close();
  });

  it('writes subscription state when a client subscribes', async () => {
    const client = await connect(a.url, tokenFor('u1', 'A'));
    await client.subscribe('project:state');
    const clientId = String(client.frames[0]?.['clientId']);
    expect(await publisherRedis.hgetall(ks.realtime.subscriptions(clientId))).toHaveProperty([
      'project:state',
    ]);
    client.close();
  });
  it('restores a previous session from Redis on another instance (no client-side state needed)', async () => {
    const token = tokenFor('sess-user', 'A');
    const first = await connect(a.url, token);
    await first.subscribe('project:sess');
    for (let i = 0; i < 3; i += 1)
      await publisher.publish({
        room: 'project:sess',
        dealershipId: 'A',
        event: 'project.updated',
        data: { projectId: 's' },
      });
    await waitFor(() => first.events('project:sess').length === 3, { message: 'three events' });
    first.send({ type: 'ack', room: 'project:sess', seq: 3 });
    const oldId = String(first.frames[0]?.['clientId']);
    await waitFor(
      async () =>
        (await publisherRedis.hget(ks.realtime.subscriptions(oldId), 'project:sess'))?.startsWith(
          '3@',
        ),
      { message: 'ack recorded' },
    );
    first.socket.terminate();
    await first.closed;
    for (let i = 0; i < 2; i += 1)
      await publisher.publish({
        room: 'project:sess',
        dealershipId: 'A',
        event: 'project.updated',
        data: { projectId: 's' },
      });

    const intruder = await connect(b.url, tokenFor('someone-else', 'A'));
    intruder.send({ type: 'resume', positions: {}, session: oldId });
    await intruder.waitFor(
      (frame) => frame.type === 'error' && frame['code'] === 'RECORD_NOT_FOUND',
    );
    expect(intruder.events('project:sess')).toHaveLength(0);
    intruder.close();

    const second = await connect(b.url, token);
    second.send({ type: 'resume', positions: {}, session: oldId });
    expect(
      await second.waitFor((frame) => frame.type === 'resumed' && frame.room === 'project:sess'),
    ).toMatchObject({ recovered: true, replayed: 2 });
    expect(seqs(second.events('project:sess'))).toEqual([4, 5]);
    second.close();
  });
});
