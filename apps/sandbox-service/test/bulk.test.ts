import type { TypedFastify } from '@switchboard/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, caller, type Caller, useRedis, useSandboxRoot } from './helper.js';

describe('bulk pause and resume', () => {
  const redis = useRedis();
  const root = useSandboxRoot();
  let app: TypedFastify;
  let alice: Caller;
  let bob: Caller;

  beforeAll(async () => {
    app = await build(redis.server.url, { settings: { SANDBOX_ROOT: root.path } });
    alice = caller(app, 'alice', 'd1');
    bob = caller(app, 'bob', 'd2');
  });
  afterAll(async () => {
    await app.close();
  });

  it('reports per-id results for a mix of valid, already-paused, unknown, foreign and malformed ids', async () => {
    const [a, b, c] = [
      await alice.createSandbox(),
      await alice.createSandbox(),
      await alice.createSandbox(),
    ];
    const foreign = await bob.createSandbox();
    await alice.post(`/api/sandbox/pause/${c.id}`);
    const res = await alice.post('/api/sandbox/bulk/pause', {
      ids: [a.id, b.id, c.id, 'sbx_unknown', foreign.id, '', 'x'.repeat(200), a.id],
      reason: 'weekend',
    });
    expect(res.statusCode).toBe(200);
    const { results, summary } = res.json().data;
    const byId = Object.fromEntries(results.map((result: { id: string }) => [result.id, result]));
    expect(byId[a.id]).toEqual({ id: a.id, success: true, state: 'paused' });
    expect(byId[b.id]).toEqual({ id: b.id, success: true, state: 'paused' });
    expect(byId[c.id]).toMatchObject({
      success: false,
      error: { code: 'INVALID_STATE_TRANSITION', details: { from: 'paused', to: 'paused' } },
    });
    expect(byId['sbx_unknown']).toMatchObject({
      success: false,
      error: { code: 'RECORD_NOT_FOUND' },
    });
    // Another tenant's sandbox looks exactly like a missing one and is left alone.
    expect(byId[foreign.id]).toEqual({
      id: foreign.id,
      success: false,
      error: { code: 'RECORD_NOT_FOUND', message: 'Sandbox not found.' },
    });
    expect(byId['']).toMatchObject({ success: false, error: { code: 'RECORD_NOT_FOUND' } });
    expect(summary).toEqual({ requested: 7, succeeded: 2, failed: 5 });
    expect((await bob.get(`/api/sandbox/${foreign.id}/status`)).json().data.state).toBe('active');
    const history = (await alice.get(`/api/sandbox/${a.id}/pause-history`)).json().data.items;
    expect(history[0]).toMatchObject({
      action: 'pause',
      source: 'bulk',
      reason: 'weekend',
      actor: 'alice',
    });

    const resumed = (
      await alice.post('/api/sandbox/bulk/resume', { ids: [a.id, b.id, c.id] })
    ).json().data;
    expect(resumed.summary).toEqual({ requested: 3, succeeded: 3, failed: 0 });
  });

  it('lets an admin act across tenants', async () => {
    const admin = caller(app, 'root', 'd0', 'admin');
    const [x, y] = [await alice.createSandbox(), await bob.createSandbox()];
    const res = (await admin.post('/api/sandbox/bulk/pause', { ids: [x.id, y.id] })).json().data;
    expect(res.summary.succeeded).toBe(2);
  });

  it('handles 1000 ids and refuses more, or an empty list, or wrong types with 400', async () => {
    const own = await alice.createSandbox();
    const ids = [own.id, ...Array.from({ length: 999 }, (_, i) => `sbx_missing_${i}`)];
    const res = await alice.post('/api/sandbox/bulk/pause', { ids });
    expect(res.statusCode).toBe(200);
    expect(res.json().data.summary).toEqual({ requested: 1000, succeeded: 1, failed: 999 });
    const tooMany = await alice.post('/api/sandbox/bulk/pause', { ids: [...ids, 'one-more'] });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error.details.fields[0].path).toBe('/ids');
    expect((await alice.post('/api/sandbox/bulk/resume', { ids: [] })).statusCode).toBe(400);
    expect((await alice.post('/api/sandbox/bulk/resume', { ids: [{ id: 1 }] })).statusCode).toBe(
      400,
    );
  });

  it('replays an idempotent bulk request instead of applying it twice', async () => {
    const s = await alice.createSandbox();
    const headers = { 'idempotency-key': 'bulk-1' };
    const first = await alice.post('/api/sandbox/bulk/pause', { ids: [s.id] }, headers);
    const again = await alice.post('/api/sandbox/bulk/pause', { ids: [s.id] }, headers);
    expect(again.json()).toEqual(first.json());
    expect(again.json().data.results[0].success).toBe(true);
    expect(
      (await alice.post('/api/sandbox/bulk/pause', { ids: [s.id, 'other'] }, headers)).json().error
        .code,
    ).toBe('IDEMPOTENCY_CONFLICT');
  });
});
