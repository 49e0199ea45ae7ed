import type { TypedFastify } from '@switchboard/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from './api.js';
import { build, useRedis } from './helper.js';

describe('flag-service edge input', () => {
  const redis = useRedis();
  let app: TypedFastify;
  beforeAll(async () => {
    app = await build(redis.server.url);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('manages a flag whose key has the longest legal length (128), kill switch included', async () => {
    const key = `K${'x'.repeat(127)}`;
    expect((await call(app, 'POST', '/api/flags', { key, enabled: true })).statusCode).toBe(201);
    const get = await call(app, 'GET', `/api/flags/${key}`);
    expect(get.statusCode).toBe(200);
    expect(get.json().data.key).toBe(key);
    const off = await call(app, 'POST', `/api/flags/${key}/toggle`, {
      enabled: false,
      reason: 'incident',
    });
    expect(off.statusCode).toBe(200);
    expect(off.json().data.enabled).toBe(false);
    expect((await call(app, 'PUT', `/api/flags/${key}`, { enabled: true })).statusCode).toBe(200);
    expect((await call(app, 'GET', `/api/flags/${key}/versions`)).json().data.total).toBe(3);
    expect((await call(app, 'GET', `/api/flags/${key}/audit`)).json().data.items).toHaveLength(3);
    expect(
      (await call(app, 'POST', `/api/flags/${key}/rollback`, { version: 2 })).json().data.enabled,
    ).toBe(false);
    expect(
      (await call(app, 'POST', `/api/flags/${key}/evaluate`, { context: { targetingKey: 'u1' } }))
        .statusCode,
    ).toBe(200);
    expect(
      (
        await call(app, 'POST', `/ofrep/v1/evaluate/flags/${key}`, {
          context: { targetingKey: 'u1' },
        })
      ).statusCode,
    ).toBe(200);
    expect((await call(app, 'POST', `/api/flags/${key}/archive`, {})).json().data.archived).toBe(
      true,
    );
  });

  it('answers a key beyond the legal length with 400 in the envelope, not a bare 414', async () => {
    const res = await call(app, 'GET', `/api/flags/${'x'.repeat(129)}`);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ success: false, error: { code: 'VALIDATION_ERROR' } });
  });

  it.each([
    ['0-0', 'nothing precedes the first possible id'],
    ['18446744073709551616-0', 'the time part exceeds 64 bits'],
    ['1-18446744073709551616', 'the sequence part exceeds 64 bits'],
  ])('refuses audit cursor %s with 400 (%s)', async (cursor) => {
    await call(app, 'POST', '/api/flags', { key: 'AUDITED' });
    const res = await call(app, 'GET', `/api/flags/AUDITED/audit?cursor=${cursor}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: { location: 'querystring', field: 'cursor', reason: 'invalid-cursor' },
    });
  });

  it('still pages the audit log with a real cursor', async () => {
    await call(app, 'POST', '/api/flags', { key: 'PAGED' });
    await call(app, 'POST', '/api/flags/PAGED/toggle', { enabled: true });
    const first = (await call(app, 'GET', '/api/flags/PAGED/audit?limit=1')).json().data;
    const second = await call(
      app,
      'GET',
      `/api/flags/PAGED/audit?limit=1&cursor=${first.nextCursor}`,
    );
    expect(second.statusCode).toBe(200);
    expect(second.json().data.items).toHaveLength(1);
  });

  it('refuses a JSON variant nested beyond the depth limit with 400, not a 500', async () => {
    let value: unknown = 1;
    for (let i = 0; i < 4100; i += 1) value = { a: value };
    const payload = JSON.stringify({
      key: 'DEEP',
      type: 'json',
      variants: { on: value, off: {} },
      defaultVariant: 'off',
    });
    const res = await app.inject({
      method: 'POST',
      url: '/api/flags',
      headers: {
        authorization: `Bearer ${(await import('./api.js')).admin}`,
        'content-type': 'application/json',
      },
      payload,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: { reason: 'too-deep' },
    });
  });
});
