import Fastify, { type FastifyInstance } from 'fastify';
import { Counter } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { healthPlugin, loggerOptions, metricsPlugin } from '../src/index.js';

let app: FastifyInstance;
afterEach(async () => {
  await app?.close();
});

async function build(): Promise<FastifyInstance> {
  app = Fastify({ logger: false });
  await app.register(metricsPlugin, { service: 'test', labels: { instance: 'i1' } });
  await app.register(healthPlugin, { checkTimeoutMs: 100 });
  app.get('/hello', async () => 'hi');
  return app;
}

describe('metrics plugin', () => {
  it('serves default, HTTP and app metrics in Prometheus format', async () => {
    await build();
    new Counter({ name: 'widgets_total', help: 'widgets', registers: [app.metrics] }).inc(3);
    await app.inject('/hello');
    const res = await app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('widgets_total{service="test",instance="i1"} 3');
    expect(res.body).toContain(
      'http_request_duration_seconds_count{service="test",instance="i1",method="GET",route="/hello",status_code="200"} 1',
    );
    expect(res.body).toContain('process_resident_memory_bytes');
  });

  it('keeps two apps in one process apart', async () => {
    const first = Fastify();
    await first.register(metricsPlugin, { service: 'a' });
    await build();
    expect(first.metrics).not.toBe(app.metrics);
    await first.close();
  });
});

describe('health plugin', () => {
  it('is live and ready when every check passes', async () => {
    await build();
    app.health.addCheck('redis', async () => 'PONG');
    expect((await app.inject('/health/live')).statusCode).toBe(200);
    const ready = await app.inject('/health/ready');
    expect(ready.statusCode).toBe(200);
    expect(ready.json().checks.redis).toMatchObject({ ok: true, info: 'PONG' });
  });

  it('is not ready when a check fails or hangs', async () => {
    await build();
    app.health.addCheck('redis', async () => {
      throw new Error('connection refused');
    });
    app.health.addCheck('slow', () => new Promise(() => undefined));
    const ready = await app.inject('/health/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.json().checks.redis.error).toBe('connection refused');
    expect(ready.json().checks.slow.error).toContain('timed out');
  });

  it('answers 503 on readiness while draining but stays live', async () => {
    await build();
    app.health.startDraining();
    expect((await app.inject('/health/ready')).statusCode).toBe(503);
    expect((await app.inject('/health/live')).statusCode).toBe(200);
  });
});

describe('logger options', () => {
  it('never logs a ?token= from a request URL (WebSocket upgrades carry the JWT there)', async () => {
    const lines: string[] = [];
    app = Fastify({
      logger: {
        ...loggerOptions({ service: 'test', level: 'info' }),
        stream: { write: (line: string) => void lines.push(line) },
      },
    });
    app.get('/ws', async () => 'upgraded');
    await app.inject({ method: 'GET', url: '/ws?room=a&token=header.payload.signature&x=1' });
    const logged = lines.join('');
    expect(logged).toContain('"url":"/ws?room=a&token=[redacted]&x=1"');
    expect(logged).not.toContain('header.payload.signature');
  });
});
