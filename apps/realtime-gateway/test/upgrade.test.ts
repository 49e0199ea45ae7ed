import type { IncomingHttpHeaders } from 'node:http';
import { waitFor } from '@switchboard/test-redis';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  type RunningGateway,
  connect,
  rawToken,
  startGateway,
  tokenFor,
  useRedis,
} from './helper.js';

interface Refusal {
  status: number;
  headers: IncomingHttpHeaders;
  body: { success: boolean; error: Record<string, unknown> };
}

/** The HTTP answer to a WebSocket upgrade that must not complete. */
function refusal(url: string, headers: Record<string, string> = {}): Promise<Refusal> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once('open', () => {
      socket.close();
      reject(new Error('the upgrade completed'));
    });
    socket.once('error', () => undefined);
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: JSON.parse(body) as Refusal['body'],
        }),
      );
    });
  });
}

describe('WebSocket upgrades on /ws', () => {
  const redis = useRedis();
  let gateway: RunningGateway | undefined;
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });

  it('refuses an upgrade without a token with 401 reason missing, the trace id in the header and the envelope', async () => {
    gateway = await startGateway(redis.server.url);
    const answer = await refusal(gateway.url);
    expect(answer.status).toBe(401);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answer.body).toMatchObject({
      success: false,
      error: { code: 'UNAUTHORIZED', details: { reason: 'missing' } },
    });
    expect(answer.headers['x-trace-id']).toBe(answer.body.error['traceId']);
  });

  it('refuses an upgrade with an expired token with the verifier 401 and its reason', async () => {
    gateway = await startGateway(redis.server.url);
    const expired = rawToken({
      sub: 'u1',
      dealershipId: 'A',
      role: 'user',
      exp: Math.floor(Date.now() / 1000) - 120,
    });
    const answer = await refusal(gateway.url, { authorization: `Bearer ${expired}` });
    expect(answer.status).toBe(401);
    expect(answer.body.error).toMatchObject({
      code: 'UNAUTHORIZED',
      details: { reason: 'expired' },
    });
  });

  it('refuses the upgrade past the instance connection limit with 503 instance_full, and takes one again once a connection left', async () => {
    gateway = await startGateway(redis.server.url, { maxConnectionsPerInstance: 2 });
    const first = await connect(gateway.url, tokenFor('u1', 'A'));
    await connect(gateway.url, tokenFor('u2', 'B'));
    const answer = await refusal(`${gateway.url}?token=${tokenFor('u3', 'A')}`);
    expect(answer.status).toBe(503);
    expect(answer.body.error).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      details: { reason: 'instance_full' },
    });
    expect(answer.headers['retry-after']).toBe('1');
    first.close();
    await first.closed;
    const url = gateway.url;
    await waitFor(async () => {
      const again = new WebSocket(`${url}?token=${tokenFor('u3', 'A')}`);
      const opened = await new Promise<boolean>((resolve) => {
        again.once('open', () => resolve(true));
        again.once('error', () => resolve(false));
      });
      again.terminate();
      return opened;
    });
  });

  it('refuses an upgrade while draining with 503 SERVICE_UNAVAILABLE in the envelope', async () => {
    gateway = await startGateway(redis.server.url);
    const draining = gateway.app.gateway.drain({ drainMs: 50, batches: 1 });
    const answer = await refusal(`${gateway.url}?token=${tokenFor('u1', 'A')}`);
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({
      success: false,
      error: { code: 'SERVICE_UNAVAILABLE', message: expect.stringContaining('draining') },
    });
    await draining;
  });

  it('refuses an upgrade over the per-IP connect rate with 429 RATE_LIMITED and counts it', async () => {
    gateway = await startGateway(redis.server.url, { connectRatePerMinute: 1 });
    const token = tokenFor('u1', 'A');
    const first = await connect(gateway.url, token);
    const answer = await refusal(`${gateway.url}?token=${token}`);
    expect(answer.status).toBe(429);
    expect(answer.body.error).toMatchObject({ code: 'RATE_LIMITED' });
    const metrics = (await gateway.app.inject('/metrics')).body;
    expect(metrics).toMatch(/websocket_rate_limited_total\{[^}]*scope="connect"[^}]*\} 1/);
    first.close();
  });

  it('refuses an upgrade under load shedding with 503, Retry-After and the pressure reason', async () => {
    gateway = await startGateway(redis.server.url, {
      // Any live process uses more than one byte of heap: under pressure from the first sample.
      protection: {
        PRESSURE_MAX_HEAP_USED_BYTES: 1,
        PRESSURE_MAX_EVENT_LOOP_DELAY_MS: 0,
        PRESSURE_RETRY_AFTER_SEC: 7,
      },
    });
    const { app } = gateway;
    await waitFor(() => app.isUnderPressure(), { message: 'under pressure', timeoutMs: 5_000 });
    const answer = await refusal(`${gateway.url}?token=${tokenFor('u1', 'A')}`);
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('7');
    expect(answer.body.error).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      details: { reason: 'heapUsedBytes', retryAfterSeconds: 7 },
    });
  });

  it('answers an upgrade to a path without a WebSocket 404 RECORD_NOT_FOUND in the envelope', async () => {
    gateway = await startGateway(redis.server.url);
    const base = gateway.url.replace(/\/ws$/, '');
    const answer = await refusal(`${base}/no/such/route?token=${tokenFor('u1', 'A')}`);
    expect(answer.status).toBe(404);
    expect(answer.body.error).toMatchObject({
      code: 'RECORD_NOT_FOUND',
      message: 'Route GET /no/such/route not found.',
    });
  });

  it('charges upgrades to other paths to the per-IP connect budget: 404 while it lasts, then 429', async () => {
    gateway = await startGateway(redis.server.url, { connectRatePerMinute: 2 });
    const base = gateway.url.replace(/\/ws$/, '');
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await refusal(`${base}/elsewhere`)).status);
    expect(statuses).toEqual([404, 404, 429]);
  });

  it('answers a plain GET /ws (no upgrade) with the upgrade refusals, then 404 with a valid token', async () => {
    gateway = await startGateway(redis.server.url);
    const http = gateway.url.replace(/^ws:/, 'http:');
    const missing = await fetch(http);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({
      success: false,
      error: { code: 'UNAUTHORIZED', details: { reason: 'missing' } },
    });
    const valid = await fetch(`${http}?token=${tokenFor('u1', 'A')}`);
    expect(valid.status).toBe(404);
    expect(await valid.text()).toBe('');
  });

  it('sees the client behind a trusted proxy at its X-Forwarded-For address', async () => {
    gateway = await startGateway(redis.server.url, { http: { trustProxy: '127.0.0.1' } });
    const socket = new WebSocket(`${gateway.url}?token=${tokenFor('u1', 'A')}`, {
      headers: { 'x-forwarded-for': '203.0.113.7, 198.51.100.2' },
    });
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const { connections } = gateway.app.gateway;
    await waitFor(() => connections.size === 1, { message: 'connection accepted' });
    // The nearest hop that is not a trusted proxy, as request.ip gives it.
    expect([...connections.values()][0]?.ip).toBe('198.51.100.2');
    socket.close();
  });

  it('sees a peer that is not a trusted proxy at its own address, whatever it forwards', async () => {
    gateway = await startGateway(redis.server.url, { http: { trustProxy: '10.0.0.1' } });
    const socket = new WebSocket(`${gateway.url}?token=${tokenFor('u1', 'A')}`, {
      headers: { 'x-forwarded-for': '203.0.113.7' },
    });
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const { connections } = gateway.app.gateway;
    await waitFor(() => connections.size === 1, { message: 'connection accepted' });
    expect([...connections.values()][0]?.ip).toBe('127.0.0.1');
    socket.close();
  });

  it('closes the open sockets 1012 when the app closes', async () => {
    gateway = await startGateway(redis.server.url);
    const client = await connect(gateway.url, tokenFor('u1', 'A'));
    await gateway.close();
    gateway = undefined;
    expect(await client.closed).toBe(1012);
  });
});
