import type { TypedFastify } from '@switchboard/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, caller, useRedis, useSandboxRoot } from './helper.js';

describe('Idempotency-Key is scoped by tenant, caller and route', () => {
  const redis = useRedis();
  const root = useSandboxRoot();
  let app: TypedFastify;

  beforeAll(async () => {
    app = await build(redis.server.url, { settings: { SANDBOX_ROOT: root.path } });
  });
  afterAll(async () => {
    await app.close();
  });

  it('the same sub and key in two dealerships create two sandboxes, neither seeing the other', async () => {
    const inA = caller(app, 'shared-sub', 'dealer-a');
    const inB = caller(app, 'shared-sub', 'dealer-b');
    const a = await inA.post('/api/sandbox', { name: 'box' }, { 'idempotency-key': 'same-key' });
    const b = await inB.post('/api/sandbox', { name: 'box' }, { 'idempotency-key': 'same-key' });
    expect(a.statusCode).toBe(201);
    expect(b.statusCode).toBe(201);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    const [sandboxA, sandboxB] = [a.json().data, b.json().data];
    expect(sandboxA.dealershipId).toBe('dealer-a');
    expect(sandboxB.dealershipId).toBe('dealer-b');
    expect(sandboxB.id).not.toBe(sandboxA.id);
    expect(b.body).not.toContain(sandboxA.id);
    expect(a.body).not.toContain(sandboxB.id);
    expect((await inB.get(`/api/sandbox/${sandboxB.id}/status`)).statusCode).toBe(200);
    // Each still replays its own answer.
    const again = await inA.post(
      '/api/sandbox',
      { name: 'box' },
      { 'idempotency-key': 'same-key' },
    );
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().data.id).toBe(sandboxA.id);
  });

  it('a key used on one route template does not replay (or conflict) on another', async () => {
    const alice = caller(app, 'alice', 'd1');
    const created = await alice.post('/api/sandbox', {}, { 'idempotency-key': 'reused' });
    expect(created.statusCode).toBe(201);
    const id = created.json().data.id as string;
    const paused = await alice.post(
      `/api/sandbox/pause/${id}`,
      {},
      { 'idempotency-key': 'reused' },
    );
    expect(paused.statusCode).toBe(200);
    expect(paused.headers['idempotent-replayed']).toBeUndefined();
    expect(paused.json().data.state).toBe('paused');
  });
});
