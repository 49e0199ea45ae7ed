import { createKeyspace } from '@switchboard/keyspace';
import { mintToken } from '@switchboard/auth';
import { type RedisServer, startRedis } from '@switchboard/test-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TypedFastify, createFastify, platformPlugin } from '../src/index.js';

const keyspace = createKeyspace('');

const SECRET = 'platform-secret-long-enough';

describe('platform plugin', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.cleanup();
  });

  async function build(corsOrigins?: string[], routes?: (app: TypedFastify) => void) {
    const app = createFastify({ service: 'kit-test', logLevel: 'silent' });
    await app.register(platformPlugin, {
      service: 'kit-test',
      keyspace,
      redisUrl: redis.url,
      auth: { secret: SECRET },
      docs: { title: 'Kit' },
      ...(corsOrigins ? { corsOrigins } : {}),
    });
    app.get('/private', { preHandler: app.authenticate }, async (request) => ({
      success: true,
      data: request.principal.sub,
    }));
    app.get(
      '/described',
      {
        preHandler: app.authenticate,
        schema: {
          response: {
            200: { type: 'object', properties: { success: { type: 'boolean' } } },
            '5xx': { type: 'object', properties: { own: { type: 'string' } } },
          },
        },
      },
      async () => ({ success: true }),
    );
    routes?.(app);
    await app.ready();
    return app;
  }

  it('is ready while Redis answers and not ready when it is down', async () => {
    const app = await build();
    expect((await app.inject('/health/ready')).statusCode).toBe(200);
    await redis.kill();
    const down = await app.inject('/health/ready');
    expect(down.statusCode).toBe(503);
    expect(down.json().checks.redis.ok).toBe(false);
    await redis.start();
    await app.close();
  });

  it('serves metrics, OpenAPI docs, the envelope for unknown routes, and auth', async () => {
    const app = await build();
    expect((await app.inject('/metrics')).body).toContain('process_cpu_user_seconds_total');
    expect((await app.inject('/docs/json')).json().openapi).toMatch(/^3\./);
    expect((await app.inject('/nowhere')).json().error.code).toBe('RECORD_NOT_FOUND');
    expect((await app.inject('/private')).statusCode).toBe(401);
    const token = mintToken({ sub: 'u1', dealershipId: 'd1', role: 'user' }, { secret: SECRET });
    expect(
      (await app.inject({ url: '/private', headers: { authorization: `Bearer ${token}` } })).json()
        .data,
    ).toBe('u1');
    await app.close();
  });

  it('documents the error envelope for the 4xx and 5xx a route does not describe, and answers in it', async () => {
    const app = await build();
    const spec = (await app.inject('/docs/json')).json();
    const responses = spec.paths['/described'].get.responses;
    const ref = String(responses['4XX'].content['application/json'].schema.$ref);
    expect(spec.components.schemas[ref.split('/').pop()!]).toMatchObject({
      title: 'ErrorEnvelope',
      required: ['success', 'error'],
    });
    expect(responses['5XX'].content['application/json'].schema).toMatchObject({
      properties: { own: { type: 'string' } },
    });
    const refused = await app.inject('/described');
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({
      success: false,
      error: { code: 'UNAUTHORIZED', details: { reason: 'missing' }, traceId: expect.any(String) },
    });
    await app.close();
  });

  it('allows CORS for a configured origin only, preflight included', async () => {
    const app = await build(['https://console.example.com']);
    const token = mintToken({ sub: 'u1', dealershipId: 'd1', role: 'user' }, { secret: SECRET });
    const listed = await app.inject({
      url: '/private',
      headers: { origin: 'https://console.example.com', authorization: `Bearer ${token}` },
    });
    expect(listed.headers['access-control-allow-origin']).toBe('https://console.example.com');
    expect(String(listed.headers['access-control-expose-headers'])).toContain('x-trace-id');
    const unlisted = await app.inject({
      url: '/private',
      headers: { origin: 'https://evil.example.net', authorization: `Bearer ${token}` },
    });
    expect(unlisted.headers['access-control-allow-origin']).toBeUndefined();
    // A refused request still tells the allowed page why (it can read the 401 envelope).
    expect(
      (await app.inject({ url: '/private', headers: { origin: 'https://console.example.com' } }))
        .headers['access-control-allow-origin'],
    ).toBe('https://console.example.com');
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/private',
      headers: {
        origin: 'https://console.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,idempotency-key',
      },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://console.example.com');
    expect(String(preflight.headers['access-control-allow-headers'])).toContain('idempotency-key');
    expect(preflight.headers['x-trace-id']).toMatch(/^[0-9a-f]{32}$/);
    await app.close();
  });

  it('allows no origin when none is configured', async () => {
    const app = await build();
    const res = await app.inject({
      url: '/health/live',
      headers: { origin: 'https://console.example.com' },
    });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    await app.close();
  });

  it('sends security headers on API answers and a policy on /docs that lets the Swagger UI run', async () => {
    const app = await build();
    const api = await app.inject('/nowhere');
    expect(api.headers['x-content-type-options']).toBe('nosniff');
    expect(api.headers['strict-transport-security']).toContain('max-age=');
    expect(api.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(api.headers['content-security-policy']).toContain("default-src 'none'");
    const ui = await app.inject('/docs/');
    expect(ui.statusCode).toBe(200);
    const policy = String(ui.headers['content-security-policy']);
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain("default-src 'none'");
    // The policy is computed once; the same headers on every answer.
    const again = await app.inject('/nowhere');
    expect(again.headers['content-security-policy']).toBe(api.headers['content-security-policy']);
    const initializer = await app.inject('/docs/static/swagger-initializer.js');
    expect(initializer.statusCode).toBe(200);
    expect((await app.inject('/docs/json')).statusCode).toBe(200);
    await app.close();
  });

  it("sends a route's own helmet options (config.helmet) merged over the app's, and none with false", async () => {
    const app = await build(undefined, (routes) => {
      routes.get(
        '/browser-app',
        {
          config: { helmet: { contentSecurityPolicy: { directives: { scriptSrc: ["'self'"] } } } },
        },
        async () => 'ok',
      );
      routes.get('/bare', { config: { helmet: false } }, async () => 'ok');
    });
    const own = await app.inject('/browser-app');
    expect(own.headers['content-security-policy']).toContain("script-src 'self'");
    expect(own.headers['content-security-policy']).not.toContain("default-src 'none'");
    expect(own.headers['x-content-type-options']).toBe('nosniff');
    const bare = await app.inject('/bare');
    expect(bare.headers['content-security-policy']).toBeUndefined();
    expect(bare.headers['x-content-type-options']).toBeUndefined();
    await app.close();
  });
});
