import { createHmac, generateKeyPairSync } from 'node:crypto';
import { errorHandlerPlugin } from '@switchboard/errors';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AuthKeys,
  assertTenantAccess,
  authPlugin,
  mintToken,
  requireRole,
  tokenFromUpgrade,
} from '../src/index.js';

const SECRET = 'test-secret-that-is-long-enough';
let app: FastifyInstance;

async function build(keys: AuthKeys = { secret: SECRET }): Promise<FastifyInstance> {
  app = Fastify({ logger: false });
  await app.register(errorHandlerPlugin);
  await app.register(authPlugin, { keys });
  app.get('/me', { preHandler: app.authenticate }, async (request) => ({
    success: true,
    data: request.principal,
  }));
  app.get('/admin', { preHandler: [app.authenticate, requireRole('admin')] }, async () => ({
    success: true,
    data: 'ok',
  }));
  app.get('/dealerships/:id', { preHandler: app.authenticate }, async (request) => {
    const { id } = request.params as { id: string };
    assertTenantAccess(request.principal, id, 'Dealership', id);
    return { success: true, data: id };
  });
  app.get('/upgrade', async (request) => ({
    success: true,
    data: app.verifyToken(tokenFromUpgrade(request) ?? ''),
  }));
  await app.ready();
  return app;
}

afterEach(async () => {
  await app?.close();
});

const b64url = (value: object | string) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function handMadeToken(header: object, payload: object, hmacKey?: string): string {
  const unsigned = `${b64url(header)}.${b64url(payload)}`;
  const signature = hmacKey
    ? createHmac('sha256', hmacKey).update(unsigned).digest('base64url')
    : '';
  return `${unsigned}.${signature}`;
}

const now = () => Math.floor(Date.now() / 1000);
const goodClaims = () => ({ sub: 'u1', dealershipId: 'd1', role: 'user', exp: now() + 600 });

async function me(token: string) {
  return app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${token}` } });
}

describe('auth plugin (HS256)', () => {
  it('accepts a valid token and exposes the principal', async () => {
    await build();
    const res = await me(
      mintToken({ sub: 'u1', dealershipId: 'd1', role: 'agent' }, { secret: SECRET }),
    );
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({ sub: 'u1', dealershipId: 'd1', role: 'agent' });
  });

  it.each([
    ['no header', undefined, 'missing'],
    ['a non-bearer header', 'Basic dTpw', 'missing'],
  ])('rejects %s with 401', async (_name, header, reason) => {
    await build();
    const res = await app.inject({
      method: 'GET',
      url: '/me',
      headers: header ? { authorization: header } : {},
    });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toMatchObject({ code: 'UNAUTHORIZED', details: { reason } });
  });

  it('rejects an expired token', async () => {
    await build();
    const res = await me(
      handMadeToken({ alg: 'HS256', typ: 'JWT' }, { ...goodClaims(), exp: now() - 120 }, SECRET),
    );
    expect(res.statusCode).toBe(401);
    expect(res.json().error.details.reason).toBe('expired');
  });

  it('tolerates clock skew up to 30 s', async () => {
    await build();
    const res = await me(
      handMadeToken({ alg: 'HS256', typ: 'JWT' }, { ...goodClaims(), exp: now() - 10 }, SECRET),
    );
    expect(res.statusCode).toBe(200);
  });

  it('rejects a token issued in the future beyond the clock skew', async () => {
    await build();
    const res = await me(
      handMadeToken({ alg: 'HS256', typ: 'JWT' }, { ...goodClaims(), iat: now() + 120 }, SECRET),
    );
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toMatchObject({
      code: 'UNAUTHORIZED',
      details: { reason: 'issued-in-future' },
    });
    // Within the skew a clock a little ahead is fine.
    expect(
      (
        await me(
          handMadeToken({ alg: 'HS256', typ: 'JWT' }, { ...goodClaims(), iat: now() + 20 }, SECRET),
        )
      ).statusCode,
    ).toBe(200);
  });

  it('rejects a token that is not valid yet', async () => {
    await build();
    const res = await me(
      mintToken(
        { sub: 'u1', dealershipId: 'd1', role: 'user', notBeforeSec: 600 },
        { secret: SECRET },
      ),
    );
    expect(res.statusCode).toBe(401);
    expect(res.json().error.details.reason).toBe('not-yet-valid');
  });

  it('rejects a token signed with another secret', async () => {
    await build();
    const res = await me(
      mintToken(
        { sub: 'u1', dealershipId: 'd1', role: 'user' },
        { secret: 'some-other-secret-value' },
      ),
    );
    expect(res.statusCode).toBe(401);
    expect(res.json().error.details.reason).toBe('invalid');
  });

  it('rejects alg none', async () => {
    await build();
    const res = await me(handMadeToken({ alg: 'none', typ: 'JWT' }, goodClaims()));
    expect(res.statusCode).toBe(401);
  });

  it.each([['sub'], ['dealershipId'], ['role'], ['exp']])(
    'rejects a token without %s',
    async (claim) => {
      await build();
      const claims: Record<string, unknown> = goodClaims();
      delete claims[claim];
      const res = await me(handMadeToken({ alg: 'HS256', typ: 'JWT' }, claims, SECRET));
      expect(res.statusCode).toBe(401);
    },
  );

  it('rejects an unknown role', async () => {
    await build();
    const res = await me(
      handMadeToken({ alg: 'HS256', typ: 'JWT' }, { ...goodClaims(), role: 'superuser' }, SECRET),
    );
    expect(res.statusCode).toBe(401);
    expect(res.json().error.details.reason).toBe('bad-claims');
  });

  it('rejects garbage', async () => {
    await build();
    expect((await me('not.a.jwt')).statusCode).toBe(401);
  });
});

describe('auth plugin (public keys)', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rsaPublic = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const rsaPrivate = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

  it('accepts RS256 tokens when JWT_PUBLIC_KEY is an RSA key', async () => {
    await build({ publicKey: rsaPublic });
    const token = mintToken(
      { sub: 'u1', dealershipId: 'd1', role: 'user' },
      { privateKey: rsaPrivate, algorithm: 'RS256' },
    );
    expect((await me(token)).statusCode).toBe(200);
  });

  it('accepts ES256 tokens when JWT_PUBLIC_KEY is an EC key', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await build({ publicKey: ec.publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    const token = mintToken(
      { sub: 'u1', dealershipId: 'd1', role: 'user' },
      {
        privateKey: ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        algorithm: 'ES256',
      },
    );
    expect((await me(token)).statusCode).toBe(200);
  });

  it('refuses HS256 tokens signed with the public key (key confusion)', async () => {
    await build({ publicKey: rsaPublic });
    const forged = handMadeToken({ alg: 'HS256', typ: 'JWT' }, goodClaims(), rsaPublic);
    const res = await me(forged);
    expect(res.statusCode).toBe(401);
  });
});

describe('guards', () => {
  it('requireRole answers 403 for the wrong role and passes the right one', async () => {
    await build();
    const user = mintToken({ sub: 'u1', dealershipId: 'd1', role: 'user' }, { secret: SECRET });
    const admin = mintToken({ sub: 'a1', dealershipId: 'd1', role: 'admin' }, { secret: SECRET });
    const denied = await app.inject({
      method: 'GET',
      url: '/admin',
      headers: { authorization: `Bearer ${user}` },
    });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe('FORBIDDEN');
    const allowed = await app.inject({
      method: 'GET',
      url: '/admin',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(allowed.statusCode).toBe(200);
  });

  it("answers 404 for another dealership's resource, 200 for one's own and for admins", async () => {
    await build();
    const user = mintToken({ sub: 'u1', dealershipId: 'd1', role: 'user' }, { secret: SECRET });
    const admin = mintToken({ sub: 'a1', dealershipId: 'd9', role: 'admin' }, { secret: SECRET });
    const get = (url: string, token: string) =>
      app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    const foreign = await get('/dealerships/d2', user);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error.code).toBe('RECORD_NOT_FOUND');
    expect((await get('/dealerships/d1', user)).statusCode).toBe(200);
    expect((await get('/dealerships/d2', admin)).statusCode).toBe(200);
  });

  it('reads a WebSocket upgrade token from the query or the header', async () => {
    await build();
    const token = mintToken({ sub: 'u7', dealershipId: 'd1', role: 'user' }, { secret: SECRET });
    const viaQuery = await app.inject({ method: 'GET', url: `/upgrade?token=${token}` });
    expect(viaQuery.json().data.sub).toBe('u7');
    const viaHeader = await app.inject({
      method: 'GET',
      url: '/upgrade',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(viaHeader.json().data.sub).toBe('u7');
    expect((await app.inject({ method: 'GET', url: '/upgrade' })).statusCode).toBe(401);
  });
});
