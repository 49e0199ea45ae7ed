import { createKeyspace } from '@switchboard/keyspace';
import { waitFor } from '@switchboard/test-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type RunningGateway,
  type TestClient,
  connect,
  startGateway,
  tokenFor,
  useRedis,
} from './helper.js';

/** The keys the apps under test use: they are built without a KEY_PREFIX. */
const keyspace = createKeyspace('');

const MAX_ROOMS = 6;
const MAX_CONNECTIONS = 2;

describe('rooms per connection and connections per user are bounded', () => {
  const redis = useRedis();
  let a: RunningGateway;
  let b: RunningGateway;

  beforeAll(async () => {
    const limits = {
      maxRoomsPerConnection: MAX_ROOMS,
      maxConnectionsPerUser: MAX_CONNECTIONS,
      ratePerMinute: 600,
      rateBurst: 100,
    };
    a = await startGateway(redis.server.url, { instanceId: 'gw-limits-a', ...limits });
    b = await startGateway(redis.server.url, { instanceId: 'gw-limits-b', ...limits });
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  const roomsOf = (gateway: RunningGateway, client: TestClient) => {
    const clientId = client.of('connection.established')[0]!['clientId'] as string;
    return [...(gateway.app.gateway.connections.get(clientId)?.rooms.keys() ?? [])].sort();
  };
  const answered = async (client: TestClient, id: string) => {
    client.send({ type: 'ping', id });
    await client.waitFor((frame) => frame.type === 'pong' && frame['id'] === id, id);
  };

  it('refuses a subscribe past the limit with ROOM_LIMIT_EXCEEDED and changes nothing', async () => {
    const client = await connect(a.url, tokenFor('rooms-1', 'A'));
    // global and user:rooms-1 count: four more fit.
    for (let n = 1; n <= 4; n += 1)
      expect((await client.subscribe(`project:${n}`)).type).toBe('subscribed');
    const refused = await client.subscribe('project:5');
    expect(refused).toMatchObject({
      type: 'error',
      code: 'ROOM_LIMIT_EXCEEDED',
      room: 'project:5',
    });
    expect(roomsOf(a, client)).toHaveLength(MAX_ROOMS);
    expect(roomsOf(a, client)).not.toContain('project:5');
    // A room it is already in is no new room; leaving one makes space.
    expect((await client.subscribe('project:1')).type).toBe('subscribed');
    client.send({ type: 'unsubscribe', room: 'project:1' });
    expect((await client.subscribe('project:5')).type).toBe('subscribed');
    client.close();
  });

  it('refuses a resume whose rooms would pass the limit as a whole: no room joined, no resumed frame', async () => {
    const client = await connect(a.url, tokenFor('rooms-2', 'A'));
    const positions = Object.fromEntries(
      ['project:a', 'project:b', 'project:c', 'project:d', 'project:e'].map((room) => [room, 0]),
    );
    client.send({ type: 'resume', positions });
    const error = await client.waitFor((frame) => frame.type === 'error', 'resume refused');
    expect(error['code']).toBe('ROOM_LIMIT_EXCEEDED');
    await answered(client, 'after-resume');
    expect(client.of('resumed')).toEqual([]);
    expect(roomsOf(a, client)).toEqual(['global', 'user:rooms-2']);
    client.close();
  });

  it('keeps the room count bounded under a flood of resume frames', async () => {
    const client = await connect(a.url, tokenFor('rooms-3', 'A'));
    const channelsBefore = a.app.gateway.subscriber.roomChannelCount();
    for (let frame = 0; frame < 50; frame += 1) {
      const positions = Object.fromEntries([0, 1, 2].map((n) => [`agent:flood-${frame}-${n}`, 0]));
      client.send({ type: 'resume', positions });
    }
    await answered(client, 'after-flood');
    expect(roomsOf(a, client)).toHaveLength(5);
    expect(
      client.of('error').filter((frame) => frame['code'] === 'ROOM_LIMIT_EXCEEDED'),
    ).toHaveLength(49);
    expect(a.app.gateway.subscriber.roomChannelCount() - channelsBefore).toBeLessThanOrEqual(
      MAX_ROOMS,
    );
    client.close();
  });

  it("refuses a user's connection past the limit, counted across instances, with an error frame and close 4429", async () => {
    const first = await connect(a.url, tokenFor('many', 'A'));
    const second = await connect(b.url, tokenFor('many', 'A'));
    const third = await connect(a.url, tokenFor('many', 'A'), { established: false });
    expect(await third.closed).toBe(4429);
    expect(third.of('error')).toMatchObject([{ code: 'CONNECTION_LIMIT_EXCEEDED' }]);
    expect(third.of('connection.established')).toEqual([]);
    // Another user, and the same sub of another dealership, are not affected.
    const other = await connect(b.url, tokenFor('many', 'B'));
    second.close();
    await second.closed;
    await waitFor(
      async () => (await a.app.redis.zcard(keyspace.realtime.userConnections('A', 'many'))) === 1,
      { message: 'second connection released' },
    );
    const again = await connect(b.url, tokenFor('many', 'A'));
    expect(again.of('connection.established')).toHaveLength(1);
    for (const client of [first, other, again]) client.close();
  });
});
