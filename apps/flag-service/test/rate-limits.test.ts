import type { TypedFastify } from '@switchboard/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, user } from './api.js';
import { build, tokenFor, useRedis } from './helper.js';

describe('rate limits of evaluation and OFREP', () => {
  const redis = useRedis();
  let app: TypedFastify;
  beforeAll(async () => {
    app = await build(redis.server.url, {
      protection: {
        HTTP_RATE_LIMIT_EVALUATE_MAX: 2,
        HTTP_RATE_LIMIT_OFREP_MAX: 3,
        HTTP_RATE_LIMIT_WINDOW_MS: 30_000,
      },
    });
    await call(app, 'POST', '/api/flags', { key: 'BOOL', enabled: true });
  });
  afterAll(async () => {
    await app?.close();
  });

  /** OFREP: 429 with a Retry-After date and OFREP's general error body, never our envelope. */
  function expectOfrepRateLimited(res: {
    statusCode: number;
    headers: Record<string, unknown>;
    json: () => Record<string, unknown>;
  }) {
    expect(res.statusCode).toBe(429);
    const retryAt = Date.parse(String(res.headers['retry-after']));
    expect(Number.isNaN(retryAt)).toBe(false);
    expect(retryAt).toBeGreaterThan(Date.now() - 1000);
    expect(retryAt).toBeLessThanOrEqual(Date.now() + 31_000);
    const body = res.json();
    expect(body).toEqual({ errorDetails: expect.stringMatching(/rate limit/i) });
  }

  it('answers OFREP single-flag and bulk calls past the limit with 429, a Retry-After date and an OFREP error body', async () => {
    const token = tokenFor('ofrep-client', 'd1', 'user');
    const single = () =>
      call(
        app,
        'POST',
        '/ofrep/v1/evaluate/flags/BOOL',
        { context: { targetingKey: 'u' } },
        { token },
      );
    const bulk = () =>
      call(app, 'POST', '/ofrep/v1/evaluate/flags', { context: { targetingKey: 'u' } }, { token });
    expect((await single()).statusCode).toBe(200);
    expect((await bulk()).statusCode).toBe(200);
    expect((await single()).statusCode).toBe(200);
    expectOfrepRateLimited(await single());
    expectOfrepRateLimited(await bulk());
  });

  it('answers evaluation past the limit with 429 RATE_LIMITED in the envelope, per principal', async () => {
    const evaluate = (token: string) =>
      call(app, 'POST', '/api/flags/evaluate', { context: { targetingKey: 'u' } }, { token });
    expect((await evaluate(user)).statusCode).toBe(200);
    expect((await evaluate(user)).statusCode).toBe(200);
    const refused = await evaluate(user);
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.json()).toMatchObject({
      success: false,
      error: {
        code: 'RATE_LIMITED',
        details: { limit: 2, retryAfterSeconds: Number(refused.headers['retry-after']) },
      },
    });
    // The same sub in another dealership has its own bucket.
    expect((await evaluate(tokenFor('user-1', 'd2', 'user'))).statusCode).toBe(200);
  });
});
