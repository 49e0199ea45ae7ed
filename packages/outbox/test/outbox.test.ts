import { roomKey } from '@switchboard/events';
import { createKeyspace } from '@switchboard/keyspace';
import { createPublisher } from '@switchboard/room-log';
import { type RedisServer, startRedis, waitFor } from '@switchboard/test-redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OutboxEvent, createOutbox } from '../src/index.js';

// A state machine in miniature: a counter whose every increment appends its event to the
// outbox in the same atomic step, as the sandbox and flag scripts do.
const COMMIT = `
local n = redis.call('INCR', KEYS[1])
redis.call('XADD', KEYS[2], '*', 'm', cjson.encode({ n = n, member = ARGV[1] }))
return n`;

const asEvent = (payload: unknown): OutboxEvent[] => {
  const { n, member } = payload as { n: number; member: string };
  return [
    {
      rooms: [`project:${member}`],
      dealershipId: 'd1',
      event: 'project.updated',
      data: { projectId: member, changes: { n } },
    },
  ];
};

describe('outbox', () => {
  let server: RedisServer;
  const clients: Redis[] = [];
  const ks = createKeyspace('ob:');
  const keys = {
    stream: ks.sandbox.outbox,
    lock: ks.sandbox.outboxLock,
    pending: ks.sandbox.outboxPending(),
  };
  const counter = (member: string) => `${ks.sandbox.outbox(member)}:n`;
  const client = () => {
    const redis = new Redis(server.url);
    clients.push(redis);
    return redis;
  };
  /** A process of its own: its own connection, publisher and outbox. */
  const processOf = (
    options: {
      translate?: (payload: unknown) => OutboxEvent[];
      sweepAfterMs?: number;
      lockMs?: number;
    } = {},
  ) => {
    const redis = client();
    const outbox = createOutbox({
      redis,
      publisher: createPublisher(redis, { keyspace: ks }),
      keys,
      translate: options.translate ?? asEvent,
      sweepAfterMs: options.sweepAfterMs ?? 5000,
      lockMs: options.lockMs ?? 5000,
    });
    const commit = async (member: string) => {
      await outbox.markPending(member);
      return Number(
        await redis.eval(COMMIT, 2, counter(member), ks.sandbox.outbox(member), member),
      );
    };
    return { redis, outbox, commit };
  };
  /** What a room's subscribers saw, in the order the room's channel carried it. */
  const listen = async (member: string) => {
    const subscriber = client();
    const seen: Array<{ n: number; seq: number; id: string }> = [];
    await subscriber.subscribe(ks.realtime.roomChannel(roomKey('d1', `project:${member}`)));
    subscriber.on('message', (_channel, raw) => {
      const message = JSON.parse(raw) as {
        seq: number;
        id: string;
        data: { changes: { n: number } };
      };
      seen.push({ n: message.data.changes.n, seq: message.seq, id: message.id });
    });
    return seen;
  };

  /**
   * Publishes a marker on the room's channel and waits for it: whatever Redis published there
   * before has arrived then. Returns what came before the marker, and takes the marker out of `seen`.
   */
  const beforeMarker = async (member: string, seen: Array<{ id: string }>) => {
    await client().publish(
      ks.realtime.roomChannel(roomKey('d1', `project:${member}`)),
      JSON.stringify({ seq: 0, id: 'marker', data: { changes: { n: 0 } } }),
    );
    await waitFor(() => seen.some((event) => event.id === 'marker'), { message: 'the marker' });
    const at = seen.findIndex((event) => event.id === 'marker');
    seen.splice(at, 1);
    return seen.slice(0, at);
  };

  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    for (const redis of clients) redis.disconnect();
    await server.cleanup();
  });

  it('relays a lone commit with two outbox scripts besides its publish: lock and read together, ack and release together', async () => {
    const process = processOf();
    const seen = await listen('trips');
    await process.commit('trips');
    const monitor = await client().monitor();
    const issued: string[] = [];
    // Only what this process's connection sent (commands run inside a script are marked `lua`).
    const own = `:${process.redis.stream.localPort}`;
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source.endsWith(own)) issued.push(args[0]!.toLowerCase());
    });
    expect(await process.outbox.relay('trips')).toBe('relayed');
    expect(await beforeMarker('trips', seen)).toMatchObject([{ n: 1 }]);
    await monitor.disconnect();
    // The room log's publish is one script; the outbox adds two, and nothing unscripted.
    expect(issued.filter((name) => !['evalsha', 'eval', 'publish'].includes(name))).toEqual([]);
    expect(issued.filter((name) => name === 'evalsha' || name === 'eval')).toHaveLength(3);
    expect(await process.redis.exists(keys.lock('trips'), keys.stream('trips'))).toBe(0);
  });

  it('publishes the events of concurrent commits from several processes in commit order', async () => {
    const processes = [processOf(), processOf(), processOf()];
    const seen = await listen('order');
    const commits = Array.from({ length: 150 }, (_, i) => processes[i % 3]!);
    await Promise.all(
      commits.map(async (process) => {
        await process.commit('order');
        await process.outbox.relay('order');
      }),
    );
    await waitFor(() => seen.length === 150, { message: '150 events' });
    expect(seen.map((event) => event.n)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    expect(seen.map((event) => event.seq)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    expect(
      await processes[0]!.redis.exists(ks.sandbox.outbox('order'), ks.sandbox.outboxLock('order')),
    ).toBe(0);
  });

  it('publishes a commit whose process died before relaying it, through the sweeper, once', async () => {
    const dead = processOf();
    const seen = await listen('crash');
    await dead.commit('crash');
    await dead.commit('crash');
    const survivor = processOf({ sweepAfterMs: 200 });
    // Before the grace period the committer's own relay may still be under way: left alone.
    await survivor.outbox.sweep();
    // The sweep has returned, so anything it published is ahead of the marker.
    expect(await beforeMarker('crash', seen)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 250));
    await survivor.outbox.sweep();
    await waitFor(() => seen.length === 2, { message: 'two events' });
    expect(seen.map((event) => event.n)).toEqual([1, 2]);
    expect(await survivor.redis.zscore(keys.pending, 'crash')).toBeNull();
  });

  it('takes over the outbox of a relay that died holding its lock, once the lock expires', async () => {
    const survivor = processOf({ sweepAfterMs: 100, lockMs: 400 });
    const seen = await listen('stuck');
    await survivor.commit('stuck');
    await survivor.redis.set(keys.lock('stuck'), 'a-dead-relay', 'PX', 400);
    expect(await survivor.outbox.relay('stuck')).toBe('busy');
    await survivor.outbox.sweep();
    // The sweep has returned, so anything it published is ahead of the marker.
    expect(await beforeMarker('stuck', seen)).toEqual([]);
    await waitFor(
      async () => {
        await survivor.outbox.sweep();
        return seen.length === 1;
      },
      { timeoutMs: 3000, message: 'the sweep after the lock expired' },
    );
  });

  it('keeps the entries when publishing fails, and publishes them later in order', async () => {
    const broken = processOf();
    const seen = await listen('retry');
    const failing = createOutbox({
      redis: broken.redis,
      publisher: createPublisher(client(), { keyspace: ks, circuitBreaker: false }),
      keys,
      translate: asEvent,
    });
    // The failing relay's publisher has no connection to publish on.
    const offline = new Redis(server.url, { lazyConnect: true, enableOfflineQueue: false });
    clients.push(offline);
    const unreachable = createOutbox({
      redis: broken.redis,
      publisher: createPublisher(offline, { keyspace: ks, circuitBreaker: false }),
      keys,
      translate: asEvent,
    });
    await broken.commit('retry');
    await broken.commit('retry');
    expect(await unreachable.relay('retry')).toBe('failed');
    expect(await broken.redis.xlen(keys.stream('retry'))).toBe(2);
    expect(await broken.redis.exists(keys.lock('retry'))).toBe(0);
    await broken.commit('retry');
    expect(await failing.relay('retry')).toBe('relayed');
    await waitFor(() => seen.length === 3, { message: 'three events' });
    expect(seen.map((event) => event.n)).toEqual([1, 2, 3]);
  });

  it('drops an entry it cannot translate and still publishes the ones after it', async () => {
    const poisoned = processOf({
      translate: (payload) => {
        if ((payload as { n: number }).n === 1) throw new Error('unreadable');
        return asEvent(payload);
      },
    });
    const seen = await listen('poison');
    await poisoned.commit('poison');
    await poisoned.commit('poison');
    expect(await poisoned.outbox.relay('poison')).toBe('relayed');
    await waitFor(() => seen.length === 1, { message: 'one event' });
    expect(seen.map((event) => event.n)).toEqual([2]);
  });

  it('gives each event an id derived from its entry, so a republished entry keeps its id', async () => {
    const process = processOf();
    const seen = await listen('ids');
    await process.commit('ids');
    const [entryId] = (await process.redis.xrange(keys.stream('ids'), '-', '+'))[0]!;
    await process.outbox.relay('ids');
    await waitFor(() => seen.length === 1, { message: 'one event' });
    expect(seen[0]!.id).toBe(`ids:${entryId}`);
  });
});
