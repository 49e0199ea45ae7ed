import { mintToken, revokeToken, type ServiceScopeName } from '@switchboard/auth';
import { createKeyspace } from '@switchboard/keyspace';
import { waitFor } from '@switchboard/test-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type RunningGateway,
  TEST_SECRET,
  connect,
  startGateway,
  tokenFor,
  useRedis,
} from './helper.js';

const redis = useRedis();

function serviceToken(dealershipId: string, scope: ServiceScopeName[], sub = 'svc'): string {
  return mintToken(
    { sub, dealershipId, role: 'service', scope, jti: `jti-${sub}-${dealershipId}` },
    { secret: TEST_SECRET },
  );
}

const ALL_SCOPES: ServiceScopeName[] = ['publish', 'history', 'presence', 'disconnect'];

describe('realtime server API across two instances', () => {
  let a: RunningGateway;
  let b: RunningGateway;
  const svcA = () => serviceToken('A', ALL_SCOPES);

  const call = async (
    gateway: RunningGateway,
    method: 'GET' | 'POST',
    url: string,
    token: string,
    payload?: unknown,
  ) => {
    const res = await gateway.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    return { status: res.statusCode, body: res.json(), headers: res.headers };
  };

  beforeAll(async () => {
    const timings = { instanceHeartbeatMs: 100, registryTtlMs: 1500 };
    a = await startGateway(redis.server.url, { instanceId: 'api-a', ...timings });
    b = await startGateway(redis.server.url, { instanceId: 'api-b', ...timings });
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('publishes over HTTP on instance A to a client connected to instance B', async () => {
    const client = await connect(b.url, tokenFor('u1', 'A'));
    expect((await client.subscribe('project:p1')).type).toBe('subscribed');
    const res = await call(a, 'POST', '/api/realtime/publish', svcA(), {
      room: 'project:p1',
      event: 'project.updated',
      data: { projectId: 'p1' },
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ room: 'project:p1', seq: 1 });
    const frame = await client.waitFor(
      (f) => f.type === 'event' && f.room === 'project:p1',
      'event',
    );
    expect(frame).toMatchObject({ event: 'project.updated', seq: 1, data: { projectId: 'p1' } });
  });

  it('answers the same idempotencyKey with the first answer and appends one event', async () => {
    const body = {
      room: 'project:idem',
      event: 'project.updated',
      data: { projectId: 'idem' },
      idempotencyKey: 'k-1',
    };
    const first = await call(a, 'POST', '/api/realtime/publish', svcA(), body);
    const second = await call(b, 'POST', '/api/realtime/publish', svcA(), body);
    expect(second.body.data).toEqual(first.body.data);
    const history = await call(a, 'GET', '/api/realtime/rooms/project:idem/history', svcA());
    expect(history.body.data.events).toHaveLength(1);
    const conflict = await call(a, 'POST', '/api/realtime/publish', svcA(), {
      ...body,
      data: { projectId: 'other' },
    });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('IDEMPOTENCY_CONFLICT');
  });

  it.each([
    [{ room: 'project:v', event: 'project.nope', data: {} }, '/event'],
    [{ room: 'project:v', event: 'project.updated', data: { projectId: 7 } }, '/data/projectId'],
  ])(
    'refuses an invalid event with VALIDATION_ERROR naming the field (%#)',
    async (body, field) => {
      const res = await call(a, 'POST', '/api/realtime/publish', svcA(), body);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { field } });
    },
  );

  it('refuses a room name that is not one, and more than 1000 broadcast rooms', async () => {
    const bad = await call(a, 'POST', '/api/realtime/publish', svcA(), {
      room: 'nowhere:1',
      event: 'project.updated',
      data: { projectId: '1' },
    });
    expect(bad.status).toBe(400);
    const tooMany = await call(a, 'POST', '/api/realtime/broadcast', svcA(), {
      rooms: Array.from({ length: 1001 }, (_, i) => `project:r${i}`),
      event: 'project.updated',
      data: { projectId: 'x' },
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.code).toBe('VALIDATION_ERROR');
  });

  it('broadcasts to many rooms and reports a partial failure per room', async () => {
    const res = await call(a, 'POST', '/api/realtime/broadcast', svcA(), {
      rooms: ['project:b1', 'project:b2', 'dealership:B', 'admin', 'global'],
      event: 'project.updated',
      data: { projectId: 'b' },
    });
    expect(res.status).toBe(200);
    const byRoom = Object.fromEntries(
      res.body.data.results.map((r: { room: string; ok: boolean; error?: { code: string } }) => [
        r.room,
        r.ok ? 'ok' : r.error?.code,
      ]),
    );
    expect(byRoom).toEqual({
      'project:b1': 'ok',
      'project:b2': 'ok',
      'dealership:B': 'FORBIDDEN',
      admin: 'FORBIDDEN',
      global: 'FORBIDDEN',
    });
    expect(res.body.data).toMatchObject({ published: 2, failed: 3 });
  });

  it('pages a room history forwards and backwards', async () => {
    for (let i = 1; i <= 5; i += 1)
      await call(a, 'POST', '/api/realtime/publish', svcA(), {
        room: 'project:h',
        event: 'project.updated',
        data: { projectId: 'h', n: i },
      });
    const page1 = await call(a, 'GET', '/api/realtime/rooms/project:h/history?limit=2', svcA());
    expect(page1.body.data.events.map((e: { seq: number }) => e.seq)).toEqual([1, 2]);
    expect(page1.body.data.nextSince).toBe(2);
    const page2 = await call(
      b,
      'GET',
      '/api/realtime/rooms/project:h/history?limit=2&since=2',
      svcA(),
    );
    expect(page2.body.data.events.map((e: { seq: number }) => e.seq)).toEqual([3, 4]);
    const last = await call(
      a,
      'GET',
      '/api/realtime/rooms/project:h/history?limit=2&since=4',
      svcA(),
    );
    expect(last.body.data.events.map((e: { seq: number }) => e.seq)).toEqual([5]);
    expect(last.body.data.nextSince).toBeNull();
    const newest = await call(
      a,
      'GET',
      '/api/realtime/rooms/project:h/history?limit=2&reverse=true',
      svcA(),
    );
    expect(newest.body.data.events.map((e: { seq: number }) => e.seq)).toEqual([5, 4]);
    const older = await call(
      a,
      'GET',
      `/api/realtime/rooms/project:h/history?limit=2&reverse=true&since=${newest.body.data.nextSince}`,
      svcA(),
    );
    expect(older.body.data.events.map((e: { seq: number }) => e.seq)).toEqual([3, 2]);
  });

  it('reports presence of a room across instances, its stats and the active rooms', async () => {
    const onA = await connect(a.url, tokenFor('pa', 'A'));
    const onB = await connect(b.url, tokenFor('pb', 'A'));
    const otherTenant = await connect(b.url, tokenFor('pc', 'B'));
    for (const client of [onA, onB, otherTenant]) await client.subscribe('project:pres');
    const presence = await waitFor(
      async () => {
        const res = await call(a, 'GET', '/api/realtime/rooms/project:pres/presence', svcA());
        return res.body.data?.clients?.length === 2 ? res.body.data : undefined;
      },
      { message: 'two members' },
    );
    expect(
      presence.clients
        .map((c: { userId: string; instanceId: string }) => `${c.userId}@${c.instanceId}`)
        .sort(),
    ).toEqual(['pa@api-a', 'pb@api-b']);
    const stats = await call(b, 'GET', '/api/realtime/rooms/project:pres/presence/stats', svcA());
    expect(stats.body.data).toEqual({ room: 'project:pres', clients: 2, users: 2 });
    const rooms = await waitFor(
      async () => {
        const res = await call(a, 'GET', '/api/realtime/rooms?prefix=project:pr', svcA());
        return res.body.data.rooms.length > 0 ? res.body.data.rooms : undefined;
      },
      { message: 'listing' },
    );
    expect(rooms).toEqual([{ room: 'project:pres', members: 2 }]);
    // A user may read presence of a room it may join, by the subscribe ACL.
    const asUser = await call(
      a,
      'GET',
      '/api/realtime/rooms/project:pres/presence',
      tokenFor('pa', 'A'),
    );
    expect(asUser.status).toBe(200);
    onB.close();
    await waitFor(
      async () =>
        (await call(a, 'GET', '/api/realtime/rooms/project:pres/presence/stats', svcA())).body.data
          .clients === 1,
      { message: 'pb left' },
    );
  });

  it('disconnects a user on whichever instance holds the connection', async () => {
    const onB = await connect(b.url, tokenFor('dx', 'A'));
    const onA = await connect(a.url, tokenFor('dx', 'A'));
    const bystander = await connect(b.url, tokenFor('dx', 'B'));
    await waitFor(
      async () => (await a.app.redis.zcard('ws:user-connections:{d:A:user:dx}')) === 2,
      { message: 'registered' },
    );
    const res = await call(a, 'POST', '/api/realtime/disconnect', svcA(), {
      userId: 'dx',
      reconnect: false,
    });
    expect(res.body.data.connections).toBe(2);
    expect(await onB.closed).toBe(4403);
    expect(await onA.closed).toBe(4403);
    expect(bystander.closeCode).toBeUndefined();
  });

  it('disconnects one client with a migrate frame and 1012 when it should reconnect', async () => {
    const client = await connect(b.url, tokenFor('mx', 'A'));
    const clientId = String(client.of('connection.established')[0]!['clientId']);
    await waitFor(async () => (await a.app.redis.exists(`ws:connection:{${clientId}}`)) === 1, {
      message: 'registered',
    });
    const res = await call(a, 'POST', '/api/realtime/disconnect', svcA(), {
      clientId,
      reconnect: true,
    });
    expect(res.status).toBe(200);
    expect(await client.closed).toBe(1012);
    expect(client.of('migrate')).toHaveLength(1);
    const other = await call(a, 'POST', '/api/realtime/disconnect', serviceToken('B', ALL_SCOPES), {
      clientId,
      reconnect: false,
    });
    expect(other.status).toBe(404);
  });

  it('refuses a revoked service token on both instances within a second, HTTP and upgrade alike', async () => {
    const token = mintToken(
      { sub: 'rv', dealershipId: 'A', role: 'service', scope: ['history'], jti: 'gw-revoked' },
      { secret: TEST_SECRET },
    );
    for (const gateway of [a, b])
      expect(
        (await call(gateway, 'GET', '/api/realtime/rooms/project:h/history', token)).status,
      ).toBe(200);
    const started = Date.now();
    await revokeToken(a.app.redis, createKeyspace('').auth, 'gw-revoked', Date.now() + 60_000);
    await waitFor(
      async () => {
        const statuses = await Promise.all(
          [a, b].map(
            async (gateway) =>
              (await call(gateway, 'GET', '/api/realtime/rooms/project:h/history', token)).status,
          ),
        );
        return statuses.every((status) => status === 401);
      },
      { message: 'refused on both', timeoutMs: 1000 },
    );
    expect(Date.now() - started).toBeLessThan(1000);
    const upgrade = await connect(b.url, token, { established: false }).catch(
      (error: Error) => error,
    );
    expect(String(upgrade)).toContain('401');
  });

  it('answers /api/v1/websocket/stats per instance, per dealership and summed', async () => {
    const c1 = await connect(a.url, tokenFor('s1', 'S'));
    const c2 = await connect(b.url, tokenFor('s2', 'S'));
    const stats = await waitFor(
      async () => {
        const res = await call(b, 'GET', '/api/v1/websocket/stats', tokenFor('root', 'A', 'admin'));
        const s = res.body.data.dealerships.find(
          (d: { dealershipId: string }) => d.dealershipId === 'S',
        );
        return s?.connections === 2 ? res.body.data : undefined;
      },
      { message: 'stats of both' },
    );
    expect(stats.totals.instances).toBe(2);
    expect(stats.instances.map((i: { instanceId: string }) => i.instanceId)).toEqual([
      'api-a',
      'api-b',
    ]);
    expect(stats.instances[0]).toMatchObject({ draining: false, breaker: 'closed' });
    expect(stats.totals.connections).toBe(
      stats.instances.reduce((sum: number, i: { connections: number }) => sum + i.connections, 0),
    );
    expect(Date.parse(stats.at)).not.toBeNaN();
    const asUser = await call(a, 'GET', '/api/v1/websocket/stats', tokenFor('s1', 'S'));
    expect(asUser.status).toBe(403);
    c1.close();
    c2.close();
  });

  it('lists an instance as draining from the moment it leaves rotation', async () => {
    a.app.health.startDraining();
    const draining = await waitFor(
      async () => {
        const res = await call(b, 'GET', '/api/v1/websocket/stats', tokenFor('root', 'A', 'admin'));
        const instance = res.body.data.instances.find(
          (i: { instanceId: string }) => i.instanceId === 'api-a',
        );
        return instance?.draining === true ? instance : undefined;
      },
      { message: 'api-a listed as draining' },
    );
    expect(draining).toMatchObject({ instanceId: 'api-a', draining: true });
  });
});

describe('realtime server API rate limit', () => {
  let gateway: RunningGateway;
  beforeAll(async () => {
    gateway = await startGateway(redis.server.url, {
      instanceId: 'api-rl',
      protection: { HTTP_RATE_LIMIT_PUBLISH_MAX: 3 },
    });
  });
  afterAll(async () => gateway?.close());

  it('answers 429 RATE_LIMITED with Retry-After once a token passes its publish rate', async () => {
    const token = serviceToken('RL', ['publish'], 'flooder');
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 5; i += 1) {
      last = await gateway.app.inject({
        method: 'POST',
        url: '/api/realtime/publish',
        headers: { authorization: `Bearer ${token}` },
        payload: { room: 'project:rl', event: 'project.updated', data: { projectId: 'rl' } },
      });
      statuses.push(last.statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    expect(last!.json().error.code).toBe('RATE_LIMITED');
    // Another token keeps its own budget.
    const other = await gateway.app.inject({
      method: 'POST',
      url: '/api/realtime/publish',
      headers: { authorization: `Bearer ${serviceToken('RL', ['publish'], 'calm')}` },
      payload: { room: 'project:rl', event: 'project.updated', data: { projectId: 'rl' } },
    });
    expect(other.statusCode).toBe(200);
  });
});
