import { createKeyspace } from '@switchboard/keyspace';
import { Type } from '@sinclair/typebox';
import { mintToken } from '@switchboard/auth';
import { createFastify, platformPlugin, type TypedFastify } from '@switchboard/service-kit';
import { type RedisServer, startRedis } from '@switchboard/test-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, ErrorCode } from '@switchboard/errors';
import { idempotencyPlugin } from '../src/index.js';

const keyspace = createKeyspace('');

const secret = 'idempotency-test-secret-value';
const token = (sub: string, dealershipId = 'd1') =>
  mintToken({ sub, dealershipId, role: 'user' }, { secret });

describe('idempotency plugin', () => {
  let redis: RedisServer;
  let app: TypedFastify;
  let calls = 0;
  let release: (() => void) | undefined;

  beforeAll(async () => {
    redis = await startRedis();
    app = createFastify({ service: 'idem-test', logLevel: 'silent' });
    await app.register(platformPlugin, {
      service: 'idem-test',
      keyspace,
      redisUrl: redis.url,
      auth: { secret },
    });
    await app.register(idempotencyPlugin, { scope: 'test', keyspace, ttlSec: 60 });
    app.post(
      '/things',
      {
        preHandler: [app.authenticate, app.idempotent],
        schema: { body: Type.Object({ n: Type.Integer() }) },
      },
      async (request, reply) => {
        calls += 1;
        if (request.body.n === 99) await new Promise<void>((resolve) => (release = resolve));
        if (request.body.n === 13) throw new AppError(ErrorCode.RESOURCE_LOCKED, 'locked');
        return reply.code(201).send({
          success: true,
          data: { call: calls, n: request.body.n, dealershipId: request.principal.dealershipId },
        });
      },
    );
    // Two route templates that can share one URL: a key used on one must not replay on the other.
    app.post(
      '/things/:id',
      { preHandler: [app.authenticate, app.idempotent] },
      async (_request, reply) => {
        calls += 1;
        return reply.code(201).send({ success: true, data: { route: 'by-id', call: calls } });
      },
    );
    app.post(
      '/things/special',
      { preHandler: [app.authenticate, app.idempotent] },
      async (_request, reply) => {
        calls += 1;
        return reply.code(201).send({ success: true, data: { route: 'special', call: calls } });
      },
    );
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await redis.cleanup();
  });

  const post = (
    sub: string,
    key: string | undefined,
    body: unknown,
    dealershipId = 'd1',
    url = '/things',
  ) =>
    app.inject({
      method: 'POST',
      url,
      headers: {
        authorization: `Bearer ${token(sub, dealershipId)}`,
        ...(key ? { 'idempotency-key': key } : {}),
      },
      payload: body as Record<string, unknown>,
    });

  it('replays the first response for the same key and body without running the handler again', async () => {
    const first = await post('u1', 'k-replay', { n: 1 });
    const second = await post('u1', 'k-replay', { n: 1 });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.json()).toEqual(first.json());
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.headers['content-type']).toContain('application/json');
  });

  it('answers 409 IDEMPOTENCY_CONFLICT for the same key with a different body', async () => {
    await post('u1', 'k-conflict', { n: 1 });
    const res = await post('u1', 'k-conflict', { n: 2 });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({
      code: 'IDEMPOTENCY_CONFLICT',
      details: { reason: 'different-request' },
    });
  });

  it('never crosses callers: another sub with the same key runs its own request', async () => {
    const a = await post('u1', 'k-shared', { n: 5 });
    const b = await post('u2', 'k-shared', { n: 5 });
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect(b.json().data.call).not.toBe(a.json().data.call);
  });

  it('never crosses tenants: the same sub and key in another dealership runs its own request', async () => {
    const a = await post('u1', 'k-tenant', { n: 7 }, 'dealer-a');
    const b = await post('u1', 'k-tenant', { n: 7 }, 'dealer-b');
    expect(a.statusCode).toBe(201);
    expect(b.statusCode).toBe(201);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect(b.json().data).toMatchObject({ dealershipId: 'dealer-b' });
    expect(b.body).not.toContain('dealer-a');
    expect(b.json().data.call).not.toBe(a.json().data.call);
  });

  it('keeps parts apart: a colon inside the sub or dealership cannot collide with another caller', async () => {
    const a = await post('u:x', 'k-colon', { n: 8 }, 'd');
    const b = await post('x', 'k-colon', { n: 8 }, 'd:u');
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect(b.json().data.call).not.toBe(a.json().data.call);
  });

  it('never crosses routes: the same key on another route template runs that route', async () => {
    const byId = await post('u1', 'k-route', {}, 'd1', '/things/42');
    const special = await post('u1', 'k-route', {}, 'd1', '/things/special');
    expect(byId.json().data.route).toBe('by-id');
    expect(special.statusCode).toBe(201);
    expect(special.headers['idempotent-replayed']).toBeUndefined();
    expect(special.json().data.route).toBe('special');
    // ...and still replays on its own route.
    expect(
      (await post('u1', 'k-route', {}, 'd1', '/things/42')).headers['idempotent-replayed'],
    ).toBe('true');
  });

  it('answers 409 to a concurrent duplicate while the first is in flight', async () => {
    const first = post('u1', 'k-flight', { n: 99 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const duplicate = await post('u1', 'k-flight', { n: 99 });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().error.details.reason).toBe('in-flight');
    release?.();
    expect((await first).statusCode).toBe(201);
    expect((await post('u1', 'k-flight', { n: 99 })).headers['idempotent-replayed']).toBe('true');
  });

  it('does not keep failed answers, so a retry runs again', async () => {
    const before = calls;
    expect((await post('u1', 'k-fail', { n: 13 })).statusCode).toBe(423);
    expect((await post('u1', 'k-fail', { n: 13 })).statusCode).toBe(423);
    expect(calls).toBe(before + 2);
  });

  it('rejects an unusable key with 400 and runs normally without a key', async () => {
    expect((await post('u1', 'x'.repeat(300), { n: 1 })).json().error.code).toBe(
      'VALIDATION_ERROR',
    );
    const before = calls;
    await post('u1', undefined, { n: 1 });
    await post('u1', undefined, { n: 1 });
    expect(calls).toBe(before + 2);
  });
});
