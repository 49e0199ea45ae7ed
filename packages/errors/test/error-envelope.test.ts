import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError, ErrorCode, errorHandlerPlugin, rateLimitError } from '../src/index.js';

let app: FastifyInstance;

async function build(): Promise<FastifyInstance> {
  app = Fastify({ logger: false, bodyLimit: 1024 });
  await app.register(errorHandlerPlugin);
  await app.register(rateLimit, {
    max: 2,
    timeWindow: 60_000,
    errorResponseBuilder: (_req, ctx) => rateLimitError(ctx),
  });
  app.get('/locked', async () => {
    throw new AppError(ErrorCode.RESOURCE_LOCKED, 'Sandbox is paused.', { sandboxId: 's1' });
  });
  app.get('/boom', async () => {
    throw new Error('secret database password in stack');
  });
  app.get('/unavailable', async () => {
    throw Object.assign(new Error('upstream down'), { statusCode: 503 });
  });
  app.post(
    '/things',
    {
      schema: {
        body: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string' }, count: { type: 'integer' } },
          additionalProperties: false,
        },
      },
    },
    async (request) => ({ success: true, data: request.body }),
  );
  app.get('/limited', { config: { rateLimit: { max: 1, timeWindow: 60_000 } } }, async () => ({
    ok: true,
  }));
  await app.ready();
  return app;
}

afterEach(async () => {
  await app?.close();
});

function expectEnvelope(body: unknown, code: ErrorCode): Record<string, unknown> {
  const parsed = body as {
    success: boolean;
    error: { code: string; message: string; details: Record<string, unknown>; traceId: string };
  };
  expect(parsed.success).toBe(false);
  expect(parsed.error.code).toBe(code);
  expect(typeof parsed.error.message).toBe('string');
  expect(parsed.error.traceId).toMatch(/^[0-9a-f]{32}$/);
  return parsed.error.details;
}

describe('error envelope', () => {
  it('renders a thrown AppError with its status, details and the trace id header', async () => {
    await build();
    const res = await app.inject({ method: 'GET', url: '/locked' });
    expect(res.statusCode).toBe(423);
    expect(expectEnvelope(res.json(), ErrorCode.RESOURCE_LOCKED)).toEqual({ sandboxId: 's1' });
    expect(res.headers['x-trace-id']).toBe(res.json().error.traceId);
  });

  it('answers schema violations with 400 VALIDATION_ERROR naming each failing field', async () => {
    await build();
    const res = await app.inject({ method: 'POST', url: '/things', payload: { count: 'many' } });
    expect(res.statusCode).toBe(400);
    const details = expectEnvelope(res.json(), ErrorCode.VALIDATION_ERROR);
    expect(details['location']).toBe('body');
    expect(details['fields']).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: '/name', keyword: 'required' })]),
    );
  });

  it('answers malformed JSON with 400 VALIDATION_ERROR', async () => {
    await build();
    const res = await app.inject({
      method: 'POST',
      url: '/things',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(res.statusCode).toBe(400);
    expect(expectEnvelope(res.json(), ErrorCode.VALIDATION_ERROR)['reason']).toBe('malformed-body');
  });

  it('answers an unsupported content type with VALIDATION_ERROR', async () => {
    await build();
    const res = await app.inject({
      method: 'POST',
      url: '/things',
      headers: { 'content-type': 'application/xml' },
      payload: '<a/>',
    });
    expect(res.statusCode).toBe(400);
    expectEnvelope(res.json(), ErrorCode.VALIDATION_ERROR);
  });

  it('answers an oversized body with 413 PAYLOAD_TOO_LARGE', async () => {
    await build();
    const res = await app.inject({
      method: 'POST',
      url: '/things',
      payload: { name: 'x'.repeat(4096) },
    });
    expect(res.statusCode).toBe(413);
    expectEnvelope(res.json(), ErrorCode.PAYLOAD_TOO_LARGE);
  });

  it('answers unknown routes with 404 RECORD_NOT_FOUND', async () => {
    await build();
    const res = await app.inject({ method: 'GET', url: '/nope?x=1' });
    expect(res.statusCode).toBe(404);
    expectEnvelope(res.json(), ErrorCode.RECORD_NOT_FOUND);
    expect(res.json().error.message).toBe('Route GET /nope not found.');
    expect(res.headers['x-trace-id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('answers unexpected errors with 500 and no internal detail', async () => {
    await build();
    const res = await app.inject({ method: 'GET', url: '/boom' });
    expect(res.statusCode).toBe(500);
    expectEnvelope(res.json(), ErrorCode.INTERNAL_ERROR);
    expect(res.body).not.toContain('secret');
    expect(res.body).not.toContain('at ');
  });

  it('keeps a plugin 503 as SERVICE_UNAVAILABLE without its message', async () => {
    await build();
    const res = await app.inject({ method: 'GET', url: '/unavailable' });
    expect(res.statusCode).toBe(503);
    expectEnvelope(res.json(), ErrorCode.SERVICE_UNAVAILABLE);
    expect(res.body).not.toContain('upstream down');
  });

  it('answers rate-limited requests with 429 RATE_LIMITED and Retry-After', async () => {
    await build();
    expect((await app.inject({ method: 'GET', url: '/limited' })).statusCode).toBe(200);
    const res = await app.inject({ method: 'GET', url: '/limited' });
    expect(res.statusCode).toBe(429);
    expect(expectEnvelope(res.json(), ErrorCode.RATE_LIMITED)['limit']).toBe(1);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });
});
