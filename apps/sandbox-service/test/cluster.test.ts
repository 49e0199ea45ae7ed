import type { TypedFastify } from '@switchboard/service-kit';
import { type RedisClusterServer, startRedisCluster } from '@switchboard/test-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxWorker } from '../src/workers/index.js';
import { build, buildWorker, caller, useSandboxRoot } from './helper.js';

// REDIS_URL=redis+cluster://…: the API, its scripts and batches, and the BullMQ queues and worker
// on a real 3-master Redis Cluster.
describe('sandbox-service on a Redis Cluster', () => {
  const root = useSandboxRoot();
  let cluster: RedisClusterServer;
  let app: TypedFastify;
  let worker: SandboxWorker;

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    const settings = { SANDBOX_ROOT: root.path };
    app = await build(cluster.url, { settings });
    worker = await buildWorker(cluster.url, settings, app);
  }, 60_000);
  afterAll(async () => {
    await worker?.close();
    await app?.close();
    await cluster?.cleanup();
  });

  it('creates, lists, pauses (423 on execute), resumes in bulk, executes through the queue, and keeps history', async () => {
    const alice = caller(app, 'alice', 'd1');
    const sandboxes = await Promise.all(
      Array.from({ length: 6 }, (_, i) => alice.createSandbox({ name: `cl-${i}` })),
    );
    const listed = await alice.get('/api/sandbox?limit=10');
    expect(listed.statusCode).toBe(200);
    expect(
      listed
        .json()
        .data.items.map((item: { id: string }) => item.id)
        .sort(),
    ).toEqual(sandboxes.map((sandbox) => sandbox.id).sort());

    const [first] = sandboxes;
    const paused = await alice.post(
      `/api/sandbox/pause/${first!.id}`,
      { reason: 'cluster' },
      { 'idempotency-key': 'cl-pause-1' },
    );
    expect(paused.statusCode).toBe(200);
    expect(
      (
        await alice.post(
          `/api/sandbox/pause/${first!.id}`,
          { reason: 'cluster' },
          { 'idempotency-key': 'cl-pause-1' },
        )
      ).statusCode,
    ).toBe(200);
    const locked = await alice.post(`/api/sandbox/${first!.id}/tools/execute`, {
      tool: 'echo',
      input: { message: 'x' },
    });
    expect(locked.statusCode).toBe(423);

    const bulk = await alice.post('/api/sandbox/bulk/pause', {
      ids: sandboxes.map((sandbox) => sandbox.id),
      reason: 'all',
    });
    expect(bulk.statusCode).toBe(200);
    const resumed = await alice.post('/api/sandbox/bulk/resume', {
      ids: sandboxes.map((sandbox) => sandbox.id),
    });
    // The one paused already is refused on its own; the batch goes on.
    expect(bulk.json().data.results.map((result: { success: boolean }) => result.success)).toEqual(
      sandboxes.map((sandbox) => sandbox.id !== first!.id),
    );
    expect(resumed.json().data.summary).toMatchObject({ requested: 6, succeeded: 6, failed: 0 });

    const executed = await alice.post(`/api/sandbox/${first!.id}/tools/execute?wait=10`, {
      tool: 'echo',
      input: { message: 'hello cluster' },
    });
    expect(executed.statusCode).toBe(200);
    expect(executed.json().data).toMatchObject({
      state: 'completed',
      output: { message: 'hello cluster' },
    });
    expect((await alice.get(`/api/sandbox/${first!.id}/status`)).json().data).toMatchObject({
      state: 'active',
    });

    const history = (await alice.get(`/api/sandbox/${first!.id}/pause-history`)).json().data.items;
    expect(
      history.map((entry: { action: string; source: string }) => `${entry.action}:${entry.source}`),
    ).toEqual(['resume:bulk', 'pause:api', 'create:api']);
  });
});
