import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { Type } from '@sinclair/typebox';
import { errorHandlerPlugin } from '@switchboard/errors';
import { afterEach, describe, expect, it } from 'vitest';
import { type FastifyFactoryOptions, type TypedFastify, createFastify } from '../src/index.js';

let app: TypedFastify;
afterEach(async () => {
  await app?.close();
});

async function listen(
  options: Partial<FastifyFactoryOptions> = {},
  host = '127.0.0.1',
): Promise<number> {
  app = createFastify({ service: 'edge', logLevel: 'silent', ...options });
  await app.register(errorHandlerPlugin);
  app.get(
    '/things/:id',
    { schema: { params: Type.Object({ id: Type.String({ maxLength: 256 }) }) } },
    async (request) => ({ success: true, data: { id: request.params.id } }),
  );
  app.post('/things', async (request) => ({ success: true, data: request.body }));
  app.get('/ip', async (request) => ({ success: true, data: { ip: request.ip } }));
  await app.listen({ host, port: 0 });
  return (app.server.address() as { port: number }).port;
}

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends bytes as they are (no client library fixes them up) and reads the whole answer. */
function raw(port: number, request: string, host = '127.0.0.1'): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host);
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const headers = Object.fromEntries(
        headerLines.map((line) => [
          line.slice(0, line.indexOf(':')).toLowerCase(),
          line.slice(line.indexOf(':') + 1).trim(),
        ]),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
    socket.on('connect', () => socket.write(request));
    setTimeout(() => reject(new Error(`no answer; got ${JSON.stringify(text)}`)), 5000).unref();
  });
}

function expectEnvelope(answer: RawAnswer, status: number, code: string, reason: string): void {
  expect(answer.status).toBe(status);
  const body = JSON.parse(answer.body);
  expect(body).toMatchObject({ success: false, error: { code, details: { reason } } });
  expect(body.error.traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(answer.headers['x-trace-id']).toBe(body.error.traceId);
}

describe('answers Fastify and Node produce outside any route', () => {
  it('431 in the envelope for headers beyond the limit (a huge Authorization token)', async () => {
    const port = await listen();
    const answer = await raw(
      port,
      `GET /things/a HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expectEnvelope(answer, 431, 'PAYLOAD_TOO_LARGE', 'headers-too-large');
  });

  it.each([
    ['a garbage request line', 'THIS IS NOT HTTP\r\n\r\n'],
    ['an invalid header', 'GET /things/a HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n'],
    ['a bad content length', 'POST /things HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n'],
  ])('400 VALIDATION_ERROR in the envelope for %s', async (_name, request) => {
    const port = await listen();
    expectEnvelope(await raw(port, request), 400, 'VALIDATION_ERROR', 'malformed-request');
  });

  it('414 in the envelope for a path parameter beyond MAX_PARAM_LENGTH', async () => {
    const port = await listen({ maxParamLength: 200 });
    const answer = await raw(
      port,
      `GET /things/${'a'.repeat(201)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    );
    expectEnvelope(answer, 414, 'PAYLOAD_TOO_LARGE', 'uri-too-long');
  });

  it('400 in the envelope for an undecodable URL', async () => {
    const port = await listen();
    const answer = await raw(
      port,
      'GET /things/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expectEnvelope(answer, 400, 'VALIDATION_ERROR', 'bad-url');
  });

  it('routes every id up to 256 characters by default (Fastify alone stops at 100)', async () => {
    const port = await listen();
    const id = 'k'.repeat(256);
    const answer = await raw(
      port,
      `GET /things/${id} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    );
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).data.id).toBe(id);
  });
});

describe('JSON nesting depth', () => {
  const nested = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

  it('refuses a body nested deeper than the limit with 400 naming it', async () => {
    await listen({ jsonMaxDepth: 32 });
    const deep = await app.inject({
      method: 'POST',
      url: '/things',
      headers: { 'content-type': 'application/json' },
      payload: nested(4100),
    });
    expect(deep.statusCode).toBe(400);
    expect(deep.json().error).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: { reason: 'too-deep', maxDepth: 32 },
    });
    expect(deep.json().error.message).toContain('32');
    const ok = await app.inject({
      method: 'POST',
      url: '/things',
      headers: { 'content-type': 'application/json' },
      payload: nested(32),
    });
    expect(ok.statusCode).toBe(200);
  });

  it('has a default limit of 64 levels', async () => {
    await listen();
    const at = await app.inject({
      method: 'POST',
      url: '/things',
      headers: { 'content-type': 'application/json' },
      payload: nested(64),
    });
    expect(at.statusCode).toBe(200);
    const over = await app.inject({
      method: 'POST',
      url: '/things',
      headers: { 'content-type': 'application/json' },
      payload: nested(65),
    });
    expect(over.json().error.details).toMatchObject({ reason: 'too-deep', maxDepth: 64 });
  });
});

/** A private-network (RFC 1918 / unique-local) address of this machine, if it has one. */
const privateAddress = Object.values(networkInterfaces())
  .flat()
  .find(
    (entry) =>
      entry &&
      !entry.internal &&
      /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|f[cd][0-9a-f]{2}:)/i.test(entry.address),
  );

describe('client address behind a proxy', () => {
  it.skipIf(!privateAddress)(
    'by default ignores X-Forwarded-For from a private-network peer (only loopback is trusted)',
    async () => {
      const port = await listen({}, privateAddress!.family === 'IPv6' ? '::' : '0.0.0.0');
      const answer = await raw(
        port,
        'GET /ip HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.9\r\nConnection: close\r\n\r\n',
        privateAddress!.address,
      );
      expect(JSON.parse(answer.body).data.ip).toBe(privateAddress!.address);
    },
  );

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const port = await listen({ trustProxy: '10.9.9.9' });
    const answer = await raw(
      port,
      'GET /ip HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.9\r\nConnection: close\r\n\r\n',
    );
    expect(JSON.parse(answer.body).data.ip).toBe('127.0.0.1');
  });

  it('believes X-Forwarded-For from a configured proxy', async () => {
    const port = await listen({ trustProxy: '10.9.9.9,127.0.0.1/32' });
    const answer = await raw(
      port,
      'GET /ip HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.9\r\nConnection: close\r\n\r\n',
    );
    expect(JSON.parse(answer.body).data.ip).toBe('203.0.113.9');
  });
});

describe('while the instance closes', () => {
  it('answers a request that arrives during close with 503 in the envelope', async () => {
    app = createFastify({ service: 'edge', logLevel: 'silent' });
    await app.register(errorHandlerPlugin);
    let release: () => void = () => undefined;
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (started = resolve));
    app.get('/slow', async () => {
      started();
      await new Promise<void>((done) => (release = done));
      return { success: true, data: 'slow' };
    });
    app.get('/fast', async () => ({ success: true, data: 'fast' }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', () => undefined);
    const ended = new Promise((resolve) => socket.on('close', resolve));
    socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await running;
    const closed = app.close();
    // The next request on this connection arrives while the first still runs and close has begun.
    await new Promise((resolve) => setTimeout(resolve, 20));
    socket.write('GET /fast HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    await ended;
    await closed;
    const second = text.slice(text.indexOf('"slow"}') + '"slow"}'.length);
    expect(second).toMatch(/^HTTP\/1\.1 503/);
    const body = JSON.parse(second.slice(second.indexOf('\r\n\r\n') + 4));
    expect(body).toMatchObject({
      success: false,
      error: { code: 'SERVICE_UNAVAILABLE', details: { reason: 'shutting-down' } },
    });
    expect(second.toLowerCase()).toContain(`x-trace-id: ${body.error.traceId}`);
  });
});
