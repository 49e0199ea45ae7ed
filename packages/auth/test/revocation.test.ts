import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { errorHandlerPlugin } from '@switchboard/errors';
import { createKeyspace } from '@switchboard/keyspace';
import { type RedisClient, createRedis } from '@switchboard/redis';
import { type RedisServer, startRedis, waitFor } from '@switchboard/test-redis';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RevocationList, authPlugin, mintToken, revokeToken } from '../src/index.js';

const SECRET = 'revocation-secret-long-enough';
const ks = createKeyspace('rv:');
const cli = fileURLToPath(new URL('../dist/cli/mint-token.js', import.meta.url));

interface Instance {
  app: FastifyInstance;
  list: RevocationList;
  redis: RedisClient;
}

async function instance(url: string, refreshMs?: number): Promise<Instance> {
  const redis = createRedis(url);
  const list = new RevocationList(redis, ks.auth, refreshMs ? { refreshMs } : {});
  await list.start();
  const app = Fastify({ logger: false });
  await app.register(errorHandlerPlugin);
  await app.register(authPlugin, {
    keys: { secret: SECRET },
    revocations: list,
    acceptServiceTokens: true,
  });
  app.get('/me', { preHandler: app.authenticate }, async (request) => ({
    success: true,
    data: request.principal,
  }));
  await app.ready();
  return { app, list, redis };
}

const status = async (node: Instance, token: string) =>
  (await node.app.inject({ url: '/me', headers: { authorization: `Bearer ${token}` } })).statusCode;

describe('token revocation (jti deny-list)', () => {
  let server: RedisServer;
  let nodes: Instance[];

  beforeAll(async () => {
    server = await startRedis();
    nodes = [await instance(server.url), await instance(server.url)];
  });
  afterAll(async () => {
    for (const node of nodes ?? []) {
      await node.app.close();
      await node.list.close();
      node.redis.disconnect();
    }
    await server?.cleanup();
  });

  it('refuses a revoked token on every instance within one second', async () => {
    const token = mintToken(
      {
        sub: 'svc',
        dealershipId: 'd1',
        role: 'service',
        scope: ['publish'],
        jti: 'j-1',
        ttl: '30d',
      },
      { secret: SECRET },
    );
    for (const node of nodes) expect(await status(node, token)).toBe(200);
    const started = Date.now();
    await revokeToken(nodes[0]!.redis, ks.auth, 'j-1', Date.now() + 60_000);
    await waitFor(
      async () =>
        (await Promise.all(nodes.map((node) => status(node, token)))).every((code) => code === 401),
      { message: 'refused everywhere', timeoutMs: 1000 },
    );
    expect(Date.now() - started).toBeLessThan(1000);
    const res = await nodes[1]!.app.inject({
      url: '/me',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.json()).toMatchObject({
      success: false,
      error: { code: 'UNAUTHORIZED', details: { reason: 'revoked' } },
    });
  });

  it('keeps other tokens of the same caller valid', async () => {
    const other = mintToken(
      { sub: 'svc', dealershipId: 'd1', role: 'service', scope: ['publish'], jti: 'j-2' },
      { secret: SECRET },
    );
    expect(await status(nodes[1]!, other)).toBe(200);
  });

  it('reloads the deny-list so a revocation written while unsubscribed still applies', async () => {
    const late = await instance(server.url, 200);
    nodes.push(late);
    await late.list.close(); // no subscriber any more: only a reload can learn of it
    await late.redis.zadd(ks.auth.revokedTokens(), Date.now() + 60_000, 'j-3');
    await late.list.reload();
    const token = mintToken(
      { sub: 'u', dealershipId: 'd1', role: 'user', jti: 'j-3' },
      { secret: SECRET },
    );
    expect(await status(late, token)).toBe(401);
  });

  it('drops entries of tokens that have expired anyway', async () => {
    await nodes[0]!.redis.zadd(ks.auth.revokedTokens(), Date.now() - 1, 'j-old');
    await nodes[0]!.list.reload();
    expect(await nodes[0]!.redis.zscore(ks.auth.revokedTokens(), 'j-old')).toBeNull();
  });

  it('pnpm token revoke <jti> writes the deny-list and tells running instances', async () => {
    const token = mintToken(
      { sub: 'u', dealershipId: 'd1', role: 'admin', jti: 'j-cli' },
      { secret: SECRET },
    );
    expect(await status(nodes[0]!, token)).toBe(200);
    const result = spawnSync(process.execPath, [cli, 'revoke', 'j-cli'], {
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] ?? '', REDIS_URL: server.url, KEY_PREFIX: 'rv:' },
    });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('revoked j-cli');
    await waitFor(async () => (await status(nodes[0]!, token)) === 401, {
      message: 'revoked',
      timeoutMs: 1000,
    });
  });
});

describe('service tokens elsewhere', () => {
  it('are refused (403) by a service that does not accept them, and accepted where enabled', async () => {
    const token = mintToken(
      { sub: 'svc', dealershipId: 'd1', role: 'service', scope: ['publish'] },
      { secret: SECRET },
    );
    for (const accept of [false, true]) {
      const app = Fastify({ logger: false });
      await app.register(errorHandlerPlugin);
      await app.register(authPlugin, { keys: { secret: SECRET }, acceptServiceTokens: accept });
      app.get('/me', { preHandler: app.authenticate }, async () => ({ success: true, data: 1 }));
      const res = await app.inject({ url: '/me', headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode).toBe(accept ? 200 : 403);
      await app.close();
    }
  });
});
