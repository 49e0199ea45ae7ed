import type { TypedFastify } from '@switchboard/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, tokenFor, useRedis } from './helper.js';

describe('queue dashboard at /admin/queues', () => {
  const redis = useRedis();
  let app: TypedFastify;
  beforeAll(async () => {
    app = await build(redis.server.url);
  });
  afterAll(async () => {
    await app?.close();
  });

  const admin = () => tokenFor('ops', 'd1', 'admin');

  it('lists every platform queue for an admin', async () => {
    const res = await app.inject({
      url: '/admin/queues/api/queues',
      headers: { authorization: `Bearer ${admin()}` },
    });
    expect(res.statusCode).toBe(200);
    const names = (res.json().queues as Array<{ name: string }>).map((queue) => queue.name).sort();
    expect(names).toEqual([
      'sandbox-auto-pause',
      'sandbox-executions',
      'task-timers',
      'ws-offline-deliveries',
    ]);
  });

  it('shows queued tool executions', async () => {
    const user = tokenFor('u1', 'd1', 'user');
    const created = await app.inject({
      method: 'POST',
      url: '/api/sandbox',
      headers: { authorization: `Bearer ${user}` },
      payload: { name: 'dash' },
    });
    const id = created.json().data.id as string;
    const queued = await app.inject({
      method: 'POST',
      url: `/api/sandbox/${id}/tools/execute`,
      headers: { authorization: `Bearer ${user}` },
      payload: { tool: 'echo', input: { message: 'hi' } },
    });
    expect(queued.statusCode).toBe(202);
    const res = await app.inject({
      url: '/admin/queues/api/queues?activeQueue=sandbox-executions&status=waiting',
      headers: { authorization: `Bearer ${admin()}` },
    });
    const executions = (
      res.json().queues as Array<{ name: string; counts: Record<string, number> }>
    ).find((queue) => queue.name === 'sandbox-executions');
    expect(executions?.counts['waiting']).toBeGreaterThanOrEqual(1);
  });

  it('serves the UI to a browser that brings ?token= once, then by cookie', async () => {
    const first = await app.inject({ url: `/admin/queues?token=${admin()}` });
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toContain('text/html');
    const cookie = String(first.headers['set-cookie']);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('Path=/admin/queues');
    const again = await app.inject({
      url: '/admin/queues/api/queues',
      headers: { cookie: cookie.split(';')[0]! },
    });
    expect(again.statusCode).toBe(200);
  });

  it('sends the UI a content security policy that lets its scripts, styles and fonts load', async () => {
    const page = await app.inject({ url: `/admin/queues?token=${admin()}` });
    const policy = String(page.headers['content-security-policy']);
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain('https://fonts.googleapis.com');
    expect(policy).not.toContain("default-src 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
  });

  it('refuses anonymous callers (401) and non-admins (403) in the error envelope', async () => {
    const anonymous = await app.inject({ url: '/admin/queues' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.code).toBe('UNAUTHORIZED');
    const user = await app.inject({
      url: '/admin/queues/api/queues',
      headers: { authorization: `Bearer ${tokenFor('u1', 'd1', 'user')}` },
    });
    expect(user.statusCode).toBe(403);
    expect(user.json().error.code).toBe('FORBIDDEN');
    const forged = await app.inject({ url: '/admin/queues?token=not.a.token' });
    expect(forged.statusCode).toBe(401);
  });
});
