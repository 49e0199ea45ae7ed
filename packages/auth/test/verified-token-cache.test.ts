import { createHmac } from 'node:crypto';
import { errorHandlerPlugin } from '@switchboard/errors';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { authPlugin } from '../src/index.js';
import { createVerifiedTokenCache } from '../src/verified-token-cache.js';

const SECRET = 'test-secret-that-is-long-enough';
let app: FastifyInstance | undefined;

afterEach(async () => {
  vi.useRealTimers();
  await app?.close();
  app = undefined;
});

async function build(cacheSize?: number): Promise<FastifyInstance> {
  app = Fastify({ logger: false });
  await app.register(errorHandlerPlugin);
  await app.register(authPlugin, {
    keys: { secret: SECRET },
    ...(cacheSize !== undefined ? { verifiedTokenCacheSize: cacheSize } : {}),
  });
  app.get('/me', { onRequest: app.authenticate }, async (request) => ({
    success: true,
    data: request.principal,
  }));
  await app.ready();
  return app;
}

function token(claims: object, key = SECRET): string {
  const part = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${unsigned}.${createHmac('sha256', key).update(unsigned).digest('base64url')}`;
}

const nowSec = () => Math.floor(Date.now() / 1000);

async function me(server: FastifyInstance, bearer: string) {
  return server.inject({
    method: 'GET',
    url: '/me',
    headers: { authorization: `Bearer ${bearer}` },
  });
}

describe('verified-token cache', () => {
  it('answers a repeated token from the cache with the same claims', async () => {
    const server = await build();
    const bearer = token({ sub: 'u1', dealershipId: 'd1', role: 'user', exp: nowSec() + 600 });
    expect((await me(server, bearer)).json().data).toMatchObject({ sub: 'u1', dealershipId: 'd1' });
    const first = server.verifyToken(bearer);
    const second = server.verifyToken(bearer);
    expect(second).toBe(first);
    expect(Object.isFrozen(second)).toBe(true);
  });

  it('keeps only tokens of HTTP requests: a token verified once (a WebSocket upgrade) is not held', async () => {
    const server = await build();
    const bearer = token({ sub: 'u1', dealershipId: 'd1', role: 'user', exp: nowSec() + 600 });
    expect(server.verifyToken(bearer)).not.toBe(server.verifyToken(bearer));
  });

  it('refuses a cached token once it expires (past the clock skew)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const server = await build();
    const bearer = token({ sub: 'u1', dealershipId: 'd1', role: 'user', exp: nowSec() + 5 });
    expect((await me(server, bearer)).statusCode).toBe(200);
    vi.setSystemTime(Date.now() + 20_000);
    expect((await me(server, bearer)).statusCode).toBe(200);
    vi.setSystemTime(Date.now() + 20_000);
    const res = await me(server, bearer);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.details.reason).toBe('expired');
  });

  it('keeps refusing a bad token: failures are never cached', async () => {
    const server = await build();
    const forged = token(
      { sub: 'u1', dealershipId: 'd1', role: 'user', exp: nowSec() + 600 },
      'another-secret-of-enough-length',
    );
    for (let i = 0; i < 3; i++) expect((await me(server, forged)).statusCode).toBe(401);
  });

  it('does not let a token with a different signature ride on a cached one', async () => {
    const server = await build();
    const claims = { sub: 'u1', dealershipId: 'd1', role: 'admin', exp: nowSec() + 600 };
    const good = token(claims);
    expect((await me(server, good)).statusCode).toBe(200);
    const tampered = `${good.slice(0, good.lastIndexOf('.'))}.AAAA`;
    expect((await me(server, tampered)).statusCode).toBe(401);
  });

  it('stays bounded under a flood of distinct valid tokens', () => {
    const cache = createVerifiedTokenCache({ maxEntries: 100, skewSec: 30 });
    const exp = nowSec() + 600;
    for (let i = 0; i < 10_000; i++)
      cache.set(`t${i}`, { sub: `u${i}`, dealershipId: 'd1', role: 'user', exp });
    expect(cache.size).toBe(100);
    expect(cache.get('t0', Date.now())).toBeUndefined();
    expect(cache.get('t9999', Date.now())).toMatchObject({ sub: 'u9999' });
  });

  it('verifies every request when the cache size is 0', async () => {
    const server = await build(0);
    const bearer = token({ sub: 'u1', dealershipId: 'd1', role: 'user', exp: nowSec() + 600 });
    await me(server, bearer);
    expect(server.verifyToken(bearer)).not.toBe(server.verifyToken(bearer));
  });
});
