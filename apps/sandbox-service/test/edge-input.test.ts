import type { TypedFastify } from '@switchboard/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, caller, type Caller, useRedis, useSandboxRoot } from './helper.js';

describe('sandbox-service edge input', () => {
  const redis = useRedis();
  const root = useSandboxRoot();
  let app: TypedFastify;
  let alice: Caller;

  beforeAll(async () => {
    app = await build(redis.server.url, { settings: { SANDBOX_ROOT: root.path } });
    alice = caller(app, 'alice', 'd1');
  });
  afterAll(async () => {
    await app.close();
  });

  it('routes ids of the longest legal length (128) to the handlers, which answer in the envelope', async () => {
    const id = `sbx_${'x'.repeat(124)}`;
    const executionId = 'e'.repeat(128);
    for (const res of [
      await alice.get(`/api/sandbox/${id}/status`),
      await alice.post(`/api/sandbox/pause/${id}`, {}),
      await alice.post(`/api/sandbox/resume/${id}`, {}),
      await alice.get(`/api/sandbox/${id}/pause-history`),
      await alice.put(`/api/sandbox/${id}/pause-settings`, { autoPause: {} }),
      await alice.post(`/api/sandbox/${id}/tools/execute`, { tool: 'echo', input: {} }),
      await alice.get(`/api/sandbox/${id}/executions/${executionId}`),
      await alice.delete(`/api/sandbox/${id}`),
    ]) {
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ success: false, error: { code: 'RECORD_NOT_FOUND' } });
    }
  });

  it('manages a real sandbox through every id route', async () => {
    const { id } = await alice.createSandbox();
    expect((await alice.post(`/api/sandbox/pause/${id}`, {})).statusCode).toBe(200);
    expect((await alice.post(`/api/sandbox/resume/${id}`, {})).statusCode).toBe(200);
    expect((await alice.delete(`/api/sandbox/${id}`)).statusCode).toBe(200);
  });

  it('refuses metadata nested thousands of levels deep with 400 naming the limit, not a 500', async () => {
    let value: unknown = 'leaf';
    for (let i = 0; i < 4100; i += 1) value = { a: value };
    const res = await alice.post('/api/sandbox', { name: 'deep', metadata: { nested: value } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: { reason: 'too-deep', maxDepth: 64 },
    });
    expect(res.json().error.message).toContain('64');
    const shallow = await alice.post('/api/sandbox', {
      name: 'ok',
      metadata: { nested: { a: { b: { c: 1 } } } },
    });
    expect(shallow.statusCode).toBe(201);
  });
});
