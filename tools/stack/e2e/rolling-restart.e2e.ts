import { createKeyspace } from '@switchboard/keyspace';
import { createPublisher } from '@switchboard/room-log';
import { waitFor } from '@switchboard/test-redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2EStack, startE2EStack } from './stack-fixture.js';

const CLIENTS = 50;
const EVENTS = 2000;
const ROOM = 'dealership:d-roll';

// Issue 7: restart each gateway in turn (SIGTERM, wait, start) while 2 000 events flow to 50
// clients: every client receives every event exactly once, in order.
describe('rolling restart of every gateway under load', () => {
  let e2e: E2EStack;
  let redis: Redis;
  const received: number[][] = [];

  beforeAll(async () => {
    e2e = await startE2EStack();
    redis = new Redis(e2e.redis.url);
    for (let i = 0; i < CLIENTS; i += 1) {
      // One user each: a single user may hold only MAX_CONNECTIONS_PER_USER connections.
      const client = e2e.client(e2e.token(`u-roll-${i}`, 'd-roll'));
      const seen: number[] = [];
      received.push(seen);
      client.onAny((event, data) => {
        if (event === 'project.updated') seen.push((data as { changes: { n: number } }).changes.n);
      });
      await client.connect();
      await client.subscribe(ROOM);
    }
  });

  afterAll(async () => {
    redis?.disconnect();
    await e2e?.close();
  });

  it('delivers every event exactly once, in order, to every client', async () => {
    const publisher = createPublisher(redis, { keyspace: createKeyspace(e2e.keyPrefix) });
    const gateways = e2e.stack.instances
      .filter((instance) => instance.kind === 'gateway')
      .map((instance) => instance.name);
    // Events flow during every restart: while gateway i restarts, up to (i + 1) * 600 events are
    // sent; the rest after the last restart. So each restart overlaps live traffic.
    let published = 0;
    let phase = 0;
    const quota = () => (phase < gateways.length ? (phase + 1) * 600 : EVENTS);
    const publishing = (async () => {
      for (; published < EVENTS; published += 1) {
        while (published >= quota()) await new Promise((resolve) => setTimeout(resolve, 20));
        await publisher.publish({
          room: ROOM,
          dealershipId: 'd-roll',
          event: 'project.updated',
          data: { projectId: 'p-roll', changes: { n: published } },
        });
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();

    const duringRestart: Record<string, number> = {};
    for (const gateway of gateways) {
      const before = published;
      await e2e.stack.restartInstance(gateway);
      duringRestart[gateway] = published - before;
      phase += 1;
    }
    await publishing;
    expect(published).toBe(EVENTS);
    expect(Object.keys(duringRestart)).toHaveLength(3);
    for (const [gateway, count] of Object.entries(duringRestart))
      expect(count, `events published while ${gateway} restarted`).toBeGreaterThan(0);

    await waitFor(() => received.every((seen) => seen.length >= EVENTS), {
      timeoutMs: 30_000,
      intervalMs: 200,
      message: `every client to receive ${EVENTS} events (got ${received.map((seen) => seen.length).join(',')})`,
    });
    const expected = Array.from({ length: EVENTS }, (_, n) => n);
    received.forEach((seen, client) => expect(seen, `client ${client}`).toEqual(expected));
  }, 180_000);
});
