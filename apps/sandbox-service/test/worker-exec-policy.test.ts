import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TypedFastify } from '@switchboard/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxWorker } from '../src/workers/index.js';
import { build, buildWorker, caller, useRedis, useSandboxRoot } from './helper.js';

// The API and the workers are configured separately: a worker never runs exec unless its own
// SANDBOX_ALLOW_EXEC says so, whatever the API that queued the job allowed.
describe('a worker with SANDBOX_ALLOW_EXEC=false', () => {
  const redis = useRedis();
  const root = useSandboxRoot();
  let app: TypedFastify;
  let worker: SandboxWorker;

  beforeAll(async () => {
    app = await build(redis.server.url, {
      settings: { SANDBOX_ROOT: root.path, SANDBOX_ALLOW_EXEC: true },
    });
    worker = await buildWorker(
      redis.server.url,
      { SANDBOX_ROOT: root.path, SANDBOX_ALLOW_EXEC: false },
      app,
    );
  });
  afterAll(async () => {
    await worker.close();
    await app.close();
  });

  it('fails an exec job queued by an API that allows exec, without running it', async () => {
    const alice = caller(app, 'alice', 'd1');
    const sandbox = await alice.createSandbox();
    const res = await alice.post(`/api/sandbox/${sandbox.id}/tools/execute?wait=10`, {
      tool: 'exec',
      input: { command: 'touch ran' },
    });
    expect(res.json().data).toMatchObject({
      state: 'failed',
      error: 'the exec tool is disabled on this worker (SANDBOX_ALLOW_EXEC=false)',
    });
    expect(existsSync(join(root.path, sandbox.id, 'ran'))).toBe(false);
    const echo = await alice.post(`/api/sandbox/${sandbox.id}/tools/execute?wait=10`, {
      tool: 'echo',
      input: { message: 'still works' },
    });
    expect(echo.json().data).toMatchObject({
      state: 'completed',
      output: { message: 'still works' },
    });
  });
});
