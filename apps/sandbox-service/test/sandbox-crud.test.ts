import type { TypedFastify } from '@switchboard/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, caller, type Caller, useRedis, useSandboxRoot } from './helper.js';

describe('sandbox create, list, status, terminate', () => {
  const redis = useRedis();
  const root = useSandboxRoot();
  let app: TypedFastify;
  let alice: Caller;
  let bob: Caller;
  let admin: Caller;

  beforeAll(async () => {
    app = await build(redis.server.url, { settings: { SANDBOX_ROOT: root.path } });
    alice = caller(app, 'alice', 'd1');
    bob = caller(app, 'bob', 'd2');
    admin = caller(app, 'root', 'd0', 'admin');
  });
  afterAll(async () => {
    await app.close();
  });

  it("creates a sandbox (201) in state active, owned by the caller's dealership", async () => {
    const res = await alice.post('/api/sandbox', {
      name: 'build box',
      metadata: { team: 'x' },
      settings: { autoPause: { idleTimeoutSec: 600 } },
    });
    expect(res.statusCode).toBe(201);
    const data = res.json().data;
    expect(data).toMatchObject({
      name: 'build box',
      state: 'active',
      dealershipId: 'd1',
      createdBy: 'alice',
      metadata: { team: 'x' },
      pausedAt: null,
    });
    expect(data.settings.autoPause).toEqual({
      idleTimeoutSec: 600,
      maxExecutionTimeSec: null,
      maxMemoryMb: null,
    });
    const status = await alice.get(`/api/sandbox/${data.id}/status`);
    expect(status.statusCode).toBe(200);
    expect(status.json().data).toMatchObject({
      id: data.id,
      state: 'active',
      usage: { processes: 0, rssBytes: 0 },
    });
  });

  it("answers 404 for unknown ids and for another tenant's sandbox, but lets admins in", async () => {
    const own = await alice.createSandbox();
    expect((await alice.get('/api/sandbox/sbx_nope/status')).json().error.code).toBe(
      'RECORD_NOT_FOUND',
    );
    const foreign = await bob.get(`/api/sandbox/${own.id}/status`);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error).toMatchObject({
      code: 'RECORD_NOT_FOUND',
      message: 'Sandbox not found.',
    });
    expect((await bob.delete(`/api/sandbox/${own.id}`)).statusCode).toBe(404);
    expect((await admin.get(`/api/sandbox/${own.id}/status`)).statusCode).toBe(200);
  });

  it("records activity on a read by its own tenant or an admin, never on another tenant's 404", async () => {
    const own = await alice.createSandbox();
    const activityAt = async () =>
      Number(
        await app.sandbox.redis.hget(
          app.sandbox.keyspace.sandbox.metadata(own.id),
          'lastActivityAt',
        ),
      );
    const created = await activityAt();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await bob.get(`/api/sandbox/${own.id}/status`)).statusCode).toBe(404);
    expect(await activityAt()).toBe(created);
    const read = await alice.get(`/api/sandbox/${own.id}/status`);
    const touched = await activityAt();
    expect(touched).toBeGreaterThan(created);
    // The answer carries the activity its own read recorded.
    expect(read.json().data.lastActivityAt).toBe(new Date(touched).toISOString());
    await new Promise((resolve) => setTimeout(resolve, 5));
    const byAdmin = await admin.get(`/api/sandbox/${own.id}/status`);
    expect(await activityAt()).toBeGreaterThan(touched);
    expect(byAdmin.json().data.lastActivityAt).toBe(new Date(await activityAt()).toISOString());
  });

  it('authenticates before it reads the body: no token with a malformed or oversized body is 401', async () => {
    for (const payload of [
      '{"name":',
      JSON.stringify({ metadata: { blob: 'x'.repeat(1_100_000) } }),
    ]) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/sandbox',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('UNAUTHORIZED');
    }
    const wrongType = await app.inject({
      method: 'POST',
      url: '/api/sandbox',
      headers: { authorization: 'Bearer forged.token.value' },
      payload: { name: 42 },
    });
    expect(wrongType.statusCode).toBe(401);
  });

  it('rejects bad input with the error envelope', async () => {
    const malformed = await app.inject({
      method: 'POST',
      url: '/api/sandbox',
      headers: {
        authorization: `Bearer ${(await import('./helper.js')).tokenFor('alice', 'd1')}`,
        'content-type': 'application/json',
      },
      payload: '{"name":',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({
      success: false,
      error: { code: 'VALIDATION_ERROR', details: { reason: 'malformed-body' } },
    });
    const wrongType = await alice.post('/api/sandbox', { name: { first: 'x' } });
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json().error.details.fields[0].path).toBe('/name');
    expect((await alice.post('/api/sandbox', { unknown: true })).statusCode).toBe(400);
    const oversized = await alice.post('/api/sandbox', {
      metadata: { blob: 'x'.repeat(1_100_000) },
    });
    expect(oversized.statusCode).toBe(413);
    expect(oversized.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await alice.get('/api/sandbox?limit=0')).statusCode).toBe(400);
    expect((await alice.get('/api/sandbox?cursor=garbage')).json().error.code).toBe(
      'VALIDATION_ERROR',
    );
  });

  it('refuses the exec tool with 403 while SANDBOX_ALLOW_EXEC is false (the default)', async () => {
    const sandbox = await alice.createSandbox();
    const res = await alice.post(`/api/sandbox/${sandbox.id}/tools/execute`, {
      tool: 'exec',
      input: { command: 'id' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toMatchObject({ code: 'FORBIDDEN', details: { tool: 'exec' } });
  });

  it('puts a sandbox the driver cannot set up into state error, from which only terminate is legal', async () => {
    const broken = await build(redis.server.url, {
      settings: { SANDBOX_ROOT: '/dev/null/sandboxes' },
    });
    const gina = caller(broken, 'gina', 'd7');
    const res = await gina.post('/api/sandbox', { name: 'doomed' });
    expect(res.statusCode).toBe(201);
    expect(res.json().data).toMatchObject({ state: 'error' });
    expect(res.json().data.error).toContain('driver create failed');
    const id = res.json().data.id;
    const history = (await gina.get(`/api/sandbox/${id}/pause-history`)).json().data.items;
    expect(history[0]).toMatchObject({
      action: 'fail',
      from: 'active',
      to: 'error',
      actor: 'system',
    });
    expect((await gina.post(`/api/sandbox/pause/${id}`)).json().error.details).toMatchObject({
      from: 'error',
      to: 'paused',
    });
    expect(
      (
        await gina.post(`/api/sandbox/${id}/tools/execute`, {
          tool: 'echo',
          input: { message: 'x' },
        })
      ).statusCode,
    ).toBe(409);
    expect((await gina.delete(`/api/sandbox/${id}`)).json().data.state).toBe('terminated');
    await broken.close();
  });

  it('refuses missing and bad tokens with 401', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/sandbox' })).statusCode).toBe(401);
    const bad = await app.inject({
      method: 'GET',
      url: '/api/sandbox',
      headers: { authorization: 'Bearer not.a.jwt' },
    });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error.code).toBe('UNAUTHORIZED');
  });

  it("lists only the caller's dealership, newest first, with filters and cursor pagination", async () => {
    const created: string[] = [];
    for (let i = 0; i < 7; i += 1)
      created.push((await caller(app, 'carol', 'd3').createSandbox({ name: `alpha-${i}` })).id);
    await caller(app, 'carol', 'd3').createSandbox({ name: 'beta' });
    const carol = caller(app, 'carol', 'd3');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await carol.get(
        `/api/sandbox?q=alpha&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.statusCode).toBe(200);
      const page = res.json().data;
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((item: { id: string }) => item.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...created].reverse());
    // A non-admin's dealershipId filter is ignored: always its own tenant.
    const sneaky = await carol.get('/api/sandbox?dealershipId=d1&limit=200');
    expect(
      sneaky
        .json()
        .data.items.every((item: { dealershipId: string }) => item.dealershipId === 'd3'),
    ).toBe(true);
    const adminView = await admin.get('/api/sandbox?dealershipId=d3&limit=200');
    expect(adminView.json().data.items).toHaveLength(8);
    const everything = await admin.get('/api/sandbox?limit=200');
    expect(everything.json().data.items.length).toBeGreaterThan(8);
  });

  it('filters by state and terminates (then 409 on a second terminate)', async () => {
    const dave = caller(app, 'dave', 'd4');
    const a = await dave.createSandbox();
    const b = await dave.createSandbox();
    const terminated = await dave.delete(`/api/sandbox/${a.id}`);
    expect(terminated.statusCode).toBe(200);
    expect(terminated.json().data.state).toBe('terminated');
    const again = await dave.delete(`/api/sandbox/${a.id}`);
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatchObject({
      code: 'INVALID_STATE_TRANSITION',
      details: { from: 'terminated', to: 'terminated' },
    });
    const active = (await dave.get('/api/sandbox?state=active'))
      .json()
      .data.items.map((item: { id: string }) => item.id);
    expect(active).toEqual([b.id]);
    expect((await dave.get('/api/sandbox?state=bogus')).statusCode).toBe(400);
  });

  it('exports sandbox metrics, reports the freeze method on /health/ready and serves OpenAPI', async () => {
    const metrics = (await app.inject('/metrics')).body;
    expect(metrics).toMatch(/sandbox_operations_total\{[^}]*operation="create"[^}]*status="ok"/);
    expect(metrics).toMatch(/sandbox_state_count\{[^}]*state="active"[^}]*\} \d+/);
    expect(metrics).toMatch(/sandbox_state_count\{[^}]*state="terminated"[^}]*\} [1-9]/);
    expect(metrics).toContain('sandbox_operation_duration_seconds_bucket');
    expect(metrics).toMatch(/sandbox_queue_depth\{[^}]*queue="sandbox-executions"/);
    const ready = (await app.inject('/health/ready')).json();
    const driverInfo = ready.checks['sandbox-driver'].info;
    expect(driverInfo.isolation).toBe(app.sandbox.driver.isolation);
    expect(driverInfo.freeze.method).toEqual(
      driverInfo.isolation === 'isolated' ? expect.stringMatching(/^cgroup-v[12]$/) : 'signals',
    );
    expect(metrics).toMatch(
      new RegExp(`sandbox_isolation_level\\{[^}]*level="${driverInfo.isolation}"[^}]*\\} 1`),
    );
    const spec = (await app.inject('/docs/json')).json();
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/api/sandbox/pause/{id}',
        '/api/sandbox/{id}/tools/execute',
        '/api/sandbox/bulk/pause',
      ]),
    );
    const execute = spec.paths['/api/sandbox/{id}/tools/execute'].post.responses;
    expect(Object.keys(execute)).toEqual(
      expect.arrayContaining(['200', '202', '423', '4XX', '5XX']),
    );
    expect(execute['423'].description).toMatch(/RESOURCE_LOCKED/);
  });
});
