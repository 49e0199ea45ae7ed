import type { TypedFastify } from '@switchboard/service-kit';
import { waitFor } from '@switchboard/test-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxWorker } from '../src/workers/index.js';
import { build, buildWorker, caller, type Caller, useRedis, useSandboxRoot } from './helper.js';

/**
 * A dealership that fills the worker with long executions and then pauses them must not hold
 * the worker: frozen executions give their run slots back, and no dealership gets more than its
 * share (SANDBOX_TENANT_MAX_SHARE) of WORKER_CONCURRENCY in the first place.
 */
describe.each([
  { share: 0.5, running: 2, why: 'its share (2 of 4 slots)' },
  { share: 1, running: 4, why: 'every slot' },
])('fair sharing with SANDBOX_TENANT_MAX_SHARE=$share', ({ share, running, why }) => {
  const redis = useRedis();
  const root = useSandboxRoot();
  let app: TypedFastify;
  let worker: SandboxWorker;
  let tenantX: Caller;
  let tenantY: Caller;

  beforeAll(async () => {
    const settings = {
      SANDBOX_ROOT: root.path,
      WORKER_CONCURRENCY: 4,
      SANDBOX_TENANT_MAX_SHARE: share,
    };
    app = await build(redis.server.url, { settings });
    worker = await buildWorker(redis.server.url, settings, app);
    tenantX = caller(app, 'xavier', 'dealer-x');
    tenantY = caller(app, 'yvonne', 'dealer-y');
  });
  afterAll(async () => {
    await worker.close();
    await app.close();
  });

  const statesOf = async (sandboxId: string, ids: string[]) =>
    Promise.all(
      ids.map(
        async (id) =>
          (await tenantX.get(`/api/sandbox/${sandboxId}/executions/${id}`)).json().data
            .state as string,
      ),
    );

  it(`lets tenant X run ${why}, first come first served, and starts Y's echo within 1 s after X pauses`, async () => {
    const sandbox = await tenantX.createSandbox();
    const ids: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const res = await tenantX.post(`/api/sandbox/${sandbox.id}/tools/execute`, {
        tool: 'sleep',
        input: { ms: 60_000 },
      });
      ids.push(res.json().data.executionId as string);
    }
    await waitFor(
      async () =>
        (await statesOf(sandbox.id, ids)).filter((s) => s === 'running').length === running,
      { timeoutMs: 10_000, message: `${running} executions of X running` },
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const states = await statesOf(sandbox.id, ids);
    // Exactly its share runs, and the oldest ones.
    expect(states).toEqual([
      ...Array.from({ length: running }, () => 'running'),
      ...Array.from({ length: 6 - running }, () => 'queued'),
    ]);

    expect((await tenantX.post(`/api/sandbox/pause/${sandbox.id}`)).json().data.state).toBe(
      'paused',
    );
    const other = await tenantY.createSandbox();
    const started = Date.now();
    const echo = await tenantY.post(`/api/sandbox/${other.id}/tools/execute?wait=10`, {
      tool: 'echo',
      input: { message: 'not starved' },
    });
    const elapsed = Date.now() - started;
    expect(echo.json().data).toMatchObject({
      state: 'completed',
      output: { message: 'not starved' },
    });
    expect(elapsed).toBeLessThan(1000);
    // X's executions are frozen, not lost.
    expect((await statesOf(sandbox.id, ids)).filter((s) => s === 'running')).toHaveLength(running);
    await tenantX.delete(`/api/sandbox/${sandbox.id}`);
  });
});
