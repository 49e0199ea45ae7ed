import { Type } from '@sinclair/typebox';
import { errorHandlerPlugin } from '@switchboard/errors';
import { afterEach, describe, expect, it } from 'vitest';
import { type TypedFastify, createFastify } from '../src/index.js';

let app: TypedFastify;
afterEach(async () => {
  await app?.close();
});

async function build(extraRoutes?: (app: TypedFastify) => void) {
  app = createFastify({ service: 'kit', logLevel: 'silent' });
  await app.register(errorHandlerPlugin);
  extraRoutes?.(app);
  app.post(
    '/items',
    {
      schema: {
        querystring: Type.Object({
          limit: Type.Integer({ default: 10 }),
          ids: Type.Optional(Type.Array(Type.String())),
        }),
        body: Type.Object(
          { name: Type.String(), count: Type.Optional(Type.Integer()) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => ({ query: request.query, body: request.body, ip: request.ip }),
  );
  await app.ready();
}

describe('createFastify validation', () => {
  it('coerces query strings to their schema types and applies defaults', async () => {
    await build();
    const res = await app.inject({
      method: 'POST',
      url: '/items?limit=5&ids=a',
      payload: { name: 'x' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().query).toEqual({ limit: 5, ids: ['a'] });
    const defaults = await app.inject({ method: 'POST', url: '/items', payload: { name: 'x' } });
    expect(defaults.json().query).toEqual({ limit: 10 });
  });

  it.each([
    ['a number for a string', { name: 42 }],
    ['a string for an integer', { name: 'x', count: '3' }],
    ['an unknown property', { name: 'x', extra: true }],
  ])('rejects %s in a JSON body', async (_case, payload) => {
    await build();
    const res = await app.inject({ method: 'POST', url: '/items', payload });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_ERROR');
  });

  it('treats a missing body as {} so all-optional bodies accept a bare call, and still names missing fields', async () => {
    await build((kit) => {
      kit.post(
        '/pause',
        { schema: { body: Type.Object({ reason: Type.Optional(Type.String()) }) } },
        async (request) => ({ body: request.body }),
      );
    });
    const bare = await app.inject({ method: 'POST', url: '/pause' });
    expect(bare.statusCode).toBe(200);
    expect(bare.json().body).toEqual({});
    const missing = await app.inject({ method: 'POST', url: '/items' });
    expect(missing.statusCode).toBe(400);
    expect(JSON.stringify(missing.json().error.details)).toContain('/name');
  });

  it('takes the client address from X-Forwarded-For when the proxy is on loopback', async () => {
    await build();
    const res = await app.inject({
      method: 'POST',
      url: '/items',
      payload: { name: 'x' },
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    expect(res.json().ip).toBe('203.0.113.9');
  });
});
