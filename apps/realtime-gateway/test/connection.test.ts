import { createKeyspace } from '@switchboard/keyspace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  type RunningGateway,
  TestClient,
  connect,
  rawToken,
  startGateway,
  tokenFor,
  useRedis,
} from './helper.js';

describe('connection, auth and protocol', () => {
  const redis = useRedis();
  let gateway: RunningGateway;
  const ks = createKeyspace('');

  beforeAll(async () => {
    gateway = await startGateway(redis.server.url, { instanceId: 'gw-conn', maxPayload: 1024 });
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('sends connection.established first, with clientId, instanceId and heartbeatMs', async () => {
    const client = await connect(gateway.url, tokenFor('u1', 'A'));
    expect(client.frames[0]).toMatchObject({
      type: 'connection.established',
      instanceId: 'gw-conn',
      heartbeatMs: 25_000,
      rooms: ['global', 'user:u1'],
    });
    expect(typeof client.frames[0]?.['clientId']).toBe('string');
    client.close();
  });

  it('accepts the token in the Authorization header too', async () => {
    const client = await connect(gateway.url, tokenFor('u1', 'A'), { header: true });
    expect(client.frames[0]?.type).toBe('connection.established');
    client.close();
  });

  it('registers the connection in ws:connection:<clientId> while it is open', async () => {
    const client = await connect(gateway.url, tokenFor('u9', 'A'));
    const clientId = String(client.frames[0]?.['clientId']);
    const entry = await gateway.app.redis.hgetall(ks.realtime.connection(clientId));
    expect(entry).toMatchObject({ instance: 'gw-conn', user: 'u9', dealership: 'A' });
    expect(await gateway.app.redis.pttl(ks.realtime.connection(clientId))).toBeGreaterThan(0);
    client.close();
    await client.closed;
    await expect.poll(() => gateway.app.redis.exists(ks.realtime.connection(clientId))).toBe(0);
  });

  const refused = [
    { name: 'no token', token: undefined },
    { name: 'garbage token', token: 'not-a-jwt' },
    {
      name: 'wrong secret',
      token: rawToken(
        { sub: 'u1', dealershipId: 'A', role: 'user', exp: Math.floor(Date.now() / 1000) + 600 },
        'another-secret-entirely',
      ),
    },
    {
      name: 'expired token',
      token: rawToken({
        sub: 'u1',
        dealershipId: 'A',
        role: 'user',
        exp: Math.floor(Date.now() / 1000) - 120,
      }),
    },
    {
      name: 'missing dealershipId',
      token: rawToken({ sub: 'u1', role: 'user', exp: Math.floor(Date.now() / 1000) + 600 }),
    },
    {
      name: 'unknown role',
      token: rawToken({
        sub: 'u1',
        dealershipId: 'A',
        role: 'root',
        exp: Math.floor(Date.now() / 1000) + 600,
      }),
    },
    {
      name: 'alg none',
      token: `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'u1', dealershipId: 'A', role: 'admin', exp: 9999999999 })).toString('base64url')}.`,
    },
  ];
  it.each(refused)(
    'refuses the upgrade with 401 and the error envelope: $name',
    async ({ token }) => {
      const url = token ? `${gateway.url}?token=${encodeURIComponent(token)}` : gateway.url;
      const client = new TestClient(new WebSocket(url));
      await expect(client.opened).rejects.toThrow();
      await expect.poll(() => client.unexpectedBody).not.toBe('');
      expect(client.unexpectedStatus).toBe(401);
      expect(JSON.parse(client.unexpectedBody)).toMatchObject({
        success: false,
        error: { code: 'UNAUTHORIZED' },
      });
    },
  );

  it('answers a malformed frame with an error frame and keeps the connection', async () => {
    const client = await connect(gateway.url, tokenFor('u1', 'A'));
    client.send('{not json');
    await client.waitFor((frame) => frame.type === 'error' && frame['code'] === 'VALIDATION_ERROR');
    client.send({ type: 'teleport' });
    await client.waitFor(
      (frame) => frame.type === 'error' && String(frame['message']).includes('Unknown frame type'),
    );
    client.send({ type: 'subscribe', room: 42 });
    await client.waitFor(
      (frame) => frame.type === 'error' && String(frame['message']).includes('subscribe'),
    );
    client.send({ type: 'ping', id: 'still-here' });
    await client.waitFor((frame) => frame.type === 'pong' && frame['id'] === 'still-here');
    expect(client.closeCode).toBeUndefined();
    client.close();
  });

  it('closes 4413 on a frame over maxPayload', async () => {
    const client = await connect(gateway.url, tokenFor('u1', 'A'));
    client.send({ type: 'ping', id: 'x'.repeat(2048) });
    expect(await client.closed).toBe(4413);
  });

  it('closes 4401 when the token expires without a refresh, and an auth frame extends it', async () => {
    // Lifetimes leave a slow machine seconds to connect before the first expiry.
    const firstToken = tokenFor('u1', 'A', 'user', '5s');
    const refreshed = await connect(gateway.url, firstToken);
    refreshed.send({ type: 'auth', token: tokenFor('u1', 'A', 'user', '1h') });
    await refreshed.waitFor((frame) => frame.type === 'auth.ok');
    const shortLived = await connect(gateway.url, tokenFor('u1', 'A', 'user', '3s'));
    expect(await shortLived.closed).toBe(4401);
    const firstExpiryMs = expiryOf(firstToken) * 1000;
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, firstExpiryMs + 300 - Date.now())),
    );
    refreshed.send({ type: 'ping', id: 'alive' });
    await refreshed.waitFor((frame) => frame.type === 'pong' && frame['id'] === 'alive');
    expect(refreshed.closeCode).toBeUndefined();
    refreshed.close();
  });

  it('refuses an auth frame for another user or role, and a bad refresh token', async () => {
    const client = await connect(gateway.url, tokenFor('u1', 'A'));
    client.send({ type: 'auth', token: tokenFor('u2', 'A') });
    await client.waitFor((frame) => frame.type === 'error' && frame['code'] === 'FORBIDDEN');
    const demoted = await connect(gateway.url, tokenFor('boss', 'A', 'admin'));
    expect((await demoted.subscribe('dealership:B')).type).toBe('subscribed');
    demoted.send({ type: 'auth', token: tokenFor('boss', 'A', 'user') });
    await demoted.waitFor(
      (frame) =>
        frame.type === 'error' &&
        frame['code'] === 'FORBIDDEN' &&
        String(frame['message']).includes('role'),
    );
    expect(demoted.frames.some((frame) => frame.type === 'auth.ok')).toBe(false);
    demoted.close();
    client.send({ type: 'auth', token: 'nope' });
    await client.waitFor((frame) => frame.type === 'error' && frame['code'] === 'UNAUTHORIZED');
    client.close();
  });

  it('answers app-level ping with pong', async () => {
    const client = await connect(gateway.url, tokenFor('u1', 'A'));
    client.send({ type: 'ping', id: 'p1' });
    const pong = await client.waitFor((frame) => frame.type === 'pong' && frame['id'] === 'p1');
    expect(typeof pong['ts']).toBe('number');
    client.close();
  });
});

function expiryOf(token: string): number {
  const payload = JSON.parse(Buffer.from(String(token.split('.')[1]), 'base64url').toString()) as {
    exp: number;
  };
  return payload.exp;
}
